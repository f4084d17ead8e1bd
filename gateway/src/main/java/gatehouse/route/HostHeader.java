package gatehouse.route;

/**
 * The syntax a Host header (or HTTP/2 {@code :authority}) must have to be routed and copied into
 * {@code X-Forwarded-Host} and {@code Forwarded}: RFC 9112 section 3.2's {@code uri-host [":" port]}
 * (RFC 3986 section 3.2.2), narrowed where RFC 3986 allows spellings no DNS name or address has and
 * that other readers split or reinterpret. Pure, thread-safe, allocation-free.
 *
 * <ul>
 *   <li>reg-name: one or more of {@code ALPHA DIGIT - . _ ~} (RFC 3986's unreserved). Its
 *       sub-delims ({@code , ; = ! $ & ' ( ) * +}) and percent-encoding are refused: a comma makes
 *       a list of hosts, {@code ;} and {@code =} split a {@code Forwarded} element, and no host
 *       name needs them. Empty is refused (RFC 9110 section 4.2.1: an http URI has a host).
 *   <li>A reg-name whose last label is all digits must be a dotted-decimal IPv4 address without
 *       leading zeros (RFC 3986 section 7.4): {@code 127.1}, {@code 0127.0.0.1}, {@code 0x7f.0.0.1}
 *       are read as addresses by some resolvers and as names by others.
 *   <li>IP-literal: {@code [IPv6address]} only; no IPvFuture, no zone identifier.
 *   <li>port: 1 to 5 digits, 1 to 65535; an empty port ({@code host:}) is refused.
 *   <li>No userinfo ({@code @} is not allowed anywhere), path, query, whitespace or non-ASCII.
 * </ul>
 */
public final class HostHeader {

  private HostHeader() {}

  /** Whether {@code value} is a valid Host value as described above; false for null. */
  public static boolean isValid(String value) {
    if (value == null) return false;
    int end = hostEnd(value);
    if (end < 0) return false;
    return end == value.length() || value.charAt(end) == ':' && port(value, end + 1) > 0;
  }

  /** The end of the host in {@code v}, or -1 when the host is not valid. */
  private static int hostEnd(String v) {
    if (v.isEmpty()) return -1;
    if (v.charAt(0) == '[') {
      int close = v.indexOf(']');
      return close > 0 && isIpv6(v, 1, close) ? close + 1 : -1;
    }
    int end = 0;
    while (end < v.length() && v.charAt(end) != ':') {
      if (!isRegNameChar(v.charAt(end))) return -1;
      end++;
    }
    if (end == 0) return -1;
    return lastLabelIsNumeric(v, end) && !isIpv4(v, 0, end) ? -1 : end;
  }

  /** The port in {@code v} from {@code from} to its end: 1 to 65535, else -1. */
  private static int port(String v, int from) {
    int digits = v.length() - from;
    if (digits < 1 || digits > 5) return -1;
    int port = 0;
    for (int k = from; k < v.length(); k++) {
      char c = v.charAt(k);
      if (c < '0' || c > '9') return -1;
      port = port * 10 + (c - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static boolean isRegNameChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Whether the last label of {@code v[0, end)} (the one before a trailing dot, if any) is all digits. */
  private static boolean lastLabelIsNumeric(String v, int end) {
    int last = end;
    if (last > 0 && v.charAt(last - 1) == '.') last--;
    int start = last;
    while (start > 0 && v.charAt(start - 1) != '.') start--;
    if (start == last) return false;
    for (int k = start; k < last; k++) {
      char c = v.charAt(k);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  /** RFC 3986 IPv4address: four dec-octets (0-255, no leading zero) joined by dots. */
  static boolean isIpv4(String v, int from, int to) {
    int octets = 0;
    int i = from;
    while (true) {
      int start = i;
      int value = 0;
      while (i < to && v.charAt(i) >= '0' && v.charAt(i) <= '9' && i - start < 3) {
        value = value * 10 + (v.charAt(i) - '0');
        i++;
      }
      int length = i - start;
      if (length == 0 || value > 255 || length > 1 && v.charAt(start) == '0') return false;
      octets++;
      if (i == to) return octets == 4;
      if (v.charAt(i) != '.' || octets == 4) return false;
      i++;
    }
  }

  /** RFC 3986 IPv6address in {@code v[from, to)}: eight groups, or fewer with one "::", the last two may be an IPv4 address. */
  static boolean isIpv6(String v, int from, int to) {
    int groups = 0;
    boolean elided = false;
    int i = from;
    if (i == to) return false;
    if (v.startsWith("::", i)) {
      elided = true;
      i += 2;
      if (i == to) return true;
    }
    while (true) {
      int start = i;
      while (i < to && Character.digit(v.charAt(i), 16) >= 0 && v.charAt(i) < 0x80) i++;
      if (i < to && v.charAt(i) == '.') {
        if (!isIpv4(v, start, to)) return false;
        groups += 2;
        break;
      }
      if (i == start || i - start > 4) return false;
      groups++;
      if (i == to) break;
      if (v.charAt(i) != ':') return false;
      i++;
      if (i < to && v.charAt(i) == ':') {
        if (elided) return false;
        elided = true;
        i++;
        if (i == to) break;
      } else if (i == to) {
        return false;
      }
    }
    return elided ? groups <= 7 : groups == 8;
  }
}
