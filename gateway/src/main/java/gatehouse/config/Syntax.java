package gatehouse.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure checks and conversions of scalar text. Each check returns the reason a value is wrong, or
 * empty; callers add the key and quote the value.
 */
final class Syntax {
  private Syntax() {}

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(B|KiB|MiB|GiB|KB|MB|GB)?");
  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  static final String DURATION_FORMS = "a whole number followed by ms, s, m, h or d, e.g. 500ms, 30s, 24h";
  static final String SIZE_FORMS = "bytes, or a whole number followed by KiB, MiB, GiB, KB, MB or GB, e.g. 8KiB, 10MiB";

  static Optional<Duration> duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) return Optional.empty();
    long n = Long.parseLong(m.group(1));
    return Optional.of(switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> throw new AssertionError(m.group(2));
    });
  }

  /** Bytes; {@code KiB} and friends are powers of 1024, {@code KB} and friends of 1000. */
  static Optional<Long> size(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) return Optional.empty();
    long n = Long.parseLong(m.group(1));
    long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
      case "B" -> 1L;
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "KB" -> 1_000L;
      case "MB" -> 1_000_000L;
      case "GB" -> 1_000_000_000L;
      default -> throw new AssertionError(m.group(2));
    };
    if (n > Long.MAX_VALUE / unit) return Optional.empty();
    return Optional.of(n * unit);
  }

  /** RFC 9110 section 5.6.2 {@code token}: header names and methods. */
  static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) return false;
    }
    return true;
  }

  /** A header name, or a prefix of names when it ends with {@code *} (never {@code *} alone). */
  static boolean isHeaderPattern(String s) {
    String name = s.endsWith("*") ? s.substring(0, s.length() - 1) : s;
    return isToken(name) && name.indexOf('*') < 0;
  }

  /**
   * A route's {@code host}, already lower-cased: a DNS name or IPv4 address, optionally starting
   * with {@code *.}; never a port.
   */
  static Optional<String> routeHost(String host) {
    if (host.lastIndexOf(':') > host.lastIndexOf(']')) {
      return Optional.of("must not include a port (hosts are matched without one)");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      return isIpv6(host.substring(1, host.length() - 1)) ? Optional.empty()
          : Optional.of("is not an IPv6 address");
    }
    String name = host.startsWith("*.") ? host.substring(2) : host;
    return isDnsName(name) ? Optional.empty()
        : Optional.of("is not a host name (letters, digits, '-' and '.', optionally starting with '*.')");
  }

  /** A listener's bind address: an IP literal or a DNS name. */
  static boolean isBindHost(String host) {
    return isDnsName(host.toLowerCase(Locale.ROOT)) || isIpv6(host);
  }

  private static boolean isDnsName(String name) {
    if (name.isEmpty() || name.length() > 253) return false;
    for (String label : name.split("\\.", -1)) {
      if (label.length() > 63 || !LABEL.matcher(label).matches()) return false;
    }
    return true;
  }

  static boolean isIpv4(String s) {
    return IPV4.matcher(s).matches();
  }

  /** Checked by shape first, so {@link InetAddress} only ever parses a literal, never resolves. */
  static boolean isIpv6(String s) {
    return ipv6(s).isPresent();
  }

  private static Optional<InetAddress> ipv6(String s) {
    if (s.indexOf(':') < 0) return Optional.empty();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(s));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** 127.0.0.0/8, ::1 or localhost: the only hosts keys may be fetched from over plain http. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.equals("localhost")) return true;
    if (isIpv4(h)) return h.startsWith("127.");
    return ipv6(h).map(a -> !(a instanceof Inet4Address) && a.isLoopbackAddress()).orElse(false);
  }

  /** {@code 10.0.0.0/8}, {@code fd00::/8}: address, prefix length, no bits set past the prefix. */
  static Optional<String> cidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      String one = text.indexOf(':') >= 0 ? "/128" : "/32";
      return Optional.of("is not a CIDR (write " + text + one + " for a single address)");
    }
    String addr = text.substring(0, slash);
    String len = text.substring(slash + 1);
    byte[] bytes;
    if (isIpv4(addr)) {
      bytes = ipv4Bytes(addr);
    } else {
      Optional<InetAddress> v6 = ipv6(addr);
      if (v6.isEmpty()) return Optional.of("is not a CIDR: '" + addr + "' is not an IPv4 or IPv6 address");
      if (v6.get() instanceof Inet4Address) {
        return Optional.of("is not a CIDR: write IPv4-mapped addresses in IPv4 form");
      }
      bytes = v6.get().getAddress();
    }
    int bits = bytes.length * 8;
    if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > bits) {
      return Optional.of("is not a CIDR: the prefix length must be 0.." + bits);
    }
    int prefix = Integer.parseInt(len);
    for (int i = prefix; i < bits; i++) {
      if ((bytes[i / 8] & (0x80 >> (i % 8))) != 0) {
        return Optional.of("has address bits set past the prefix length /" + prefix);
      }
    }
    return Optional.empty();
  }

  private static byte[] ipv4Bytes(String s) {
    String[] parts = s.split("\\.");
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) b[i] = (byte) Integer.parseInt(parts[i]);
    return b;
  }

  /**
   * A path in the form the gateway normalises every request path to (RFC 3986 section 6.2.2), so
   * a route's path can actually be matched: starts with {@code /}; ASCII; no empty, {@code .} or
   * {@code ..} segments; percent-escapes upper-case and only for characters that need them;
   * never an encoded {@code /}, {@code \} or control character, since requests carrying those are
   * refused before routing.
   */
  static Optional<String> normalPath(String p) {
    if (!p.startsWith("/")) return Optional.of("must start with '/'");
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '%') {
        if (i + 2 >= p.length() || !isUpperHex(p.charAt(i + 1)) || !isUpperHex(p.charAt(i + 2))) {
          return Optional.of("has a bad percent-escape (write two upper-case hex digits after '%')");
        }
        int decoded = Integer.parseInt(p.substring(i + 1, i + 3), 16);
        if (isUnreserved((char) decoded)) {
          return Optional.of("must write '" + (char) decoded + "' instead of '" + p.substring(i, i + 3)
              + "' (requests are decoded before matching)");
        }
        if (decoded == '/' || decoded == '\\' || decoded < 0x20 || decoded == 0x7f) {
          return Optional.of("contains '" + p.substring(i, i + 3)
              + "', which the gateway refuses in requests, so it could never match");
        }
        i += 2;
      } else if (!(isUnreserved(c) || c == '/' || c == ':' || c == '@' || "!$&'()*+,;=".indexOf(c) >= 0)) {
        return Optional.of("contains '" + (c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : c)
            + "', which must be percent-encoded");
      }
    }
    String[] segments = p.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals(".") || s.equals("..")) {
        return Optional.of("must not contain '.' or '..' segments (requests are normalised before matching)");
      }
      if (s.isEmpty() && i < segments.length - 1) return Optional.of("must not contain '//'");
    }
    return Optional.empty();
  }

  private static boolean isUpperHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0;
  }

  /** {@code prefix} is {@code path} or a whole-segment prefix of it ({@code /api} of {@code /api/v1}). */
  static boolean isSegmentPrefix(String prefix, String path) {
    if (!path.startsWith(prefix)) return false;
    return path.length() == prefix.length() || prefix.endsWith("/") || path.charAt(prefix.length()) == '/';
  }
}
