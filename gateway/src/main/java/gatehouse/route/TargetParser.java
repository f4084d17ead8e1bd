package gatehouse.route;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns the request-target of a request line (or HTTP/2 {@code :path}) into the one
 * {@link RequestTarget} that both the gateway and the upstream will read, or refuses it.
 *
 * <p>The normalised path is what routes are matched against and what is sent upstream, so a
 * spelling the gateway reads one way and a backend another never gets through: anything that
 * backends are known to read differently (encoded slashes, path parameters, dot segments that
 * appear after decoding, double encoding, merged slashes, trailing dots, Unicode look-alikes) is
 * refused with a stable {@code code}. Pure, thread-safe, no I/O.
 */
public final class TargetParser {

  static final String UNSUPPORTED_TARGET_FORM = "unsupported_target_form";
  static final String ABSOLUTE_FORM_HOST_MISMATCH = "absolute_form_host_mismatch";
  static final String FRAGMENT = "fragment";
  static final String INVALID_CHARACTER = "invalid_character";
  static final String PATH_PARAMETER = "path_parameter";
  static final String BAD_PERCENT_ENCODING = "bad_percent_encoding";
  static final String ENCODED_SLASH = "encoded_slash";
  static final String ENCODED_BACKSLASH = "encoded_backslash";
  static final String ENCODED_CONTROL = "encoded_control";
  static final String ENCODED_DOT_SEGMENT = "encoded_dot_segment";
  static final String DOUBLE_ENCODING = "double_encoding";
  static final String INVALID_UTF8 = "invalid_utf8";
  static final String UNICODE_LOOKALIKE = "unicode_lookalike";
  static final String INVISIBLE_CHARACTER = "invisible_character";
  static final String SPACE_AT_SEGMENT_EDGE = "space_at_segment_edge";
  static final String EMPTY_SEGMENT = "empty_segment";
  static final String TRAILING_DOT = "trailing_dot";
  static final String DOT_SEGMENT_ABOVE_ROOT = "dot_segment_above_root";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private TargetParser() {}

  /**
   * Parses {@code rawTarget} exactly as received.
   *
   * @param rawTarget origin-form ({@code /a/b?x=1}) or absolute-form ({@code http://host/a});
   *     authority-form and {@code *} are refused
   * @param hostHeader the Host (or {@code :authority}) value, may be null; an absolute-form target
   *     is accepted only when its authority equals this: RFC 9112 section 3.2.2 tells the
   *     recipient to ignore Host in favour of the target, but a backend behind us may read Host,
   *     so when the two differ we refuse rather than pick one (ports compared with the scheme's
   *     default filled in)
   * @return {@link Target.Parsed} or {@link Target.Ambiguous}; never null, never throws for any
   *     input
   */
  public static Target parse(String rawTarget, String hostHeader) {
    if (rawTarget == null || rawTarget.isEmpty()) {
      return ambiguous(UNSUPPORTED_TARGET_FORM, "empty request target");
    }
    // A fragment is never sent on the wire (RFC 9112 section 3.2); one that is may be cut by one
    // reader and kept by another.
    if (rawTarget.indexOf('#') >= 0) {
      return ambiguous(FRAGMENT, "fragment (#) in request target");
    }
    if (rawTarget.charAt(0) == '/') {
      return parseOriginForm(rawTarget, 0);
    }
    int authorityStart;
    int defaultPort;
    if (rawTarget.regionMatches(true, 0, "http://", 0, 7)) {
      authorityStart = 7;
      defaultPort = 80;
    } else if (rawTarget.regionMatches(true, 0, "https://", 0, 8)) {
      authorityStart = 8;
      defaultPort = 443;
    } else {
      return ambiguous(
          UNSUPPORTED_TARGET_FORM, "request target must be origin-form or http(s) absolute-form");
    }
    int authorityEnd = authorityStart;
    while (authorityEnd < rawTarget.length()
        && rawTarget.charAt(authorityEnd) != '/'
        && rawTarget.charAt(authorityEnd) != '?') {
      authorityEnd++;
    }
    String authority = rawTarget.substring(authorityStart, authorityEnd);
    if (authority.indexOf('@') >= 0) {
      return ambiguous(UNSUPPORTED_TARGET_FORM, "userinfo in absolute-form target");
    }
    Authority target = Authority.parse(authority, defaultPort);
    if (target == null || !target.equals(Authority.parse(hostHeader, defaultPort))) {
      return ambiguous(
          ABSOLUTE_FORM_HOST_MISMATCH, "absolute-form authority does not match the Host header");
    }
    if (authorityEnd == rawTarget.length() || rawTarget.charAt(authorityEnd) == '?') {
      // RFC 9112 section 3.2.1 / RFC 3986 section 6.2.3: an empty path is "/".
      String withSlash = "/" + rawTarget.substring(authorityEnd);
      return parseOriginForm(withSlash, 0);
    }
    return parseOriginForm(rawTarget, authorityEnd);
  }

  /** {@code s} from {@code from} is {@code /path[?query]}. */
  private static Target parseOriginForm(String s, int from) {
    int query = s.indexOf('?', from);
    int end = query < 0 ? s.length() : query;
    Target path = normalisePath(s, from, end);
    if (!(path instanceof Target.Parsed)) return path;
    Optional<String> rawQuery = Optional.empty();
    if (query >= 0) {
      for (int i = query + 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= 0x20 || c >= 0x7F) {
          return ambiguous(INVALID_CHARACTER, "character " + codePoint(c) + " is not allowed in a query");
        }
      }
      rawQuery = Optional.of(s.substring(query + 1));
    }
    return new Target.Parsed(new RequestTarget(((Target.Parsed) path).target().path(), rawQuery));
  }

  /**
   * Normalises {@code s[from, end)}, which starts with {@code /}, in one pass, segment by segment.
   * A {@link Target.Parsed} result has no query yet.
   */
  private static Target normalisePath(String s, int from, int end) {
    StringBuilder out = new StringBuilder(end - from);
    // Start offset in `out` of each kept segment (its leading '/'), for ".." removal.
    int[] kept = new int[end - from];
    int depth = 0;
    int i = from + 1;
    while (true) {
      int rawStart = i;
      int outStart = out.length();
      out.append('/');
      while (i < end && s.charAt(i) != '/') {
        char c = s.charAt(i);
        if (c == '%') {
          int b = escapedByte(s, i, end);
          if (b < 0) return ambiguous(BAD_PERCENT_ENCODING, "'%' must be followed by two hex digits");
          if (b == '/') return ambiguous(ENCODED_SLASH, "encoded slash (%2F) in path");
          if (b == '\\') return ambiguous(ENCODED_BACKSLASH, "encoded backslash (%5C) in path");
          if (b < 0x20 || b == 0x7F) {
            return ambiguous(ENCODED_CONTROL, "encoded control character in path");
          }
          if (b == ';') {
            // Kept encoded it is a plain character to Tomcat, but servers that decode before
            // cutting path parameters (older Jetty among them) would cut here too.
            return ambiguous(PATH_PARAMETER, "encoded path parameter (%3B) in path");
          }
          if (b >= 0x80) {
            Target.Ambiguous bad = appendUtf8(s, i, end, out);
            if (bad != null) return bad;
            i += 3 * utf8Length(b);
            continue;
          }
          if (isUnreserved((char) b)) {
            out.append((char) b); // RFC 3986 section 6.2.2.2: decode unreserved
          } else {
            appendEscape(out, b); // RFC 3986 section 6.2.2.1: upper-case hex
          }
          i += 3;
        } else if (c == ';') {
          // Tomcat and Jetty cut ";..." from a segment before matching: /public/..;/admin.
          return ambiguous(PATH_PARAMETER, "path parameter (;) in path");
        } else if (isPcharRaw(c)) {
          out.append(c);
          i++;
        } else {
          return ambiguous(INVALID_CHARACTER, "character " + codePoint(c) + " is not allowed in a path");
        }
      }
      boolean last = i >= end;
      int segLength = out.length() - outStart - 1;
      if (segLength == 0) {
        // Backends disagree on "//": some merge it, some keep an empty segment.
        if (!last) return ambiguous(EMPTY_SEGMENT, "empty path segment (//)");
      } else if (isDotSegment(out, outStart + 1, segLength)) {
        if (i - rawStart != segLength) {
          return ambiguous(ENCODED_DOT_SEGMENT, "dot segment spelled with percent-encoding");
        }
        out.setLength(outStart);
        if (segLength == 2) {
          // RFC 3986 section 5.2.4 would clamp "/.." at the root; we refuse instead.
          if (depth == 0) return ambiguous(DOT_SEGMENT_ABOVE_ROOT, "'..' above the root");
          out.setLength(kept[--depth]);
        }
        if (last) out.append('/');
      } else {
        if (out.charAt(out.length() - 1) == '.') {
          // Windows and IIS drop trailing dots from names: "admin." would be "admin" there.
          return ambiguous(TRAILING_DOT, "path segment ends with '.'");
        }
        if (segLength >= 3
            && (isSpaceEscape(out, outStart + 1) || isSpaceEscape(out, out.length() - 3))) {
          // Windows drops trailing spaces; Spring's AntPathMatcher once trimmed each segment
          // (CVE-2016-5007): "admin%20" would be "admin" there.
          return ambiguous(SPACE_AT_SEGMENT_EDGE, "path segment starts or ends with a space");
        }
        kept[depth++] = outStart;
      }
      if (last) break;
      i++;
    }
    if (out.length() == 0) out.append('/');
    String path = out.toString();
    Target.Ambiguous doubled = doubleEncoding(path);
    return doubled != null ? doubled : new Target.Parsed(new RequestTarget(path, Optional.empty()));
  }

  /**
   * "%25" stays encoded, so "%2561" is the text "%61" to a backend that decodes once, but "a" to
   * one that decodes twice (many frameworks do), and "/api/%2561dmin" would reach "/api/admin"
   * past a route the gateway never matched. So "%25" may not be followed by two hex digits at all:
   * not only "%252F", "%255C", "%2500" and "%252e" but any double encoding is refused. Checked on
   * the output, which catches "%25%32%46" (decoded to "%252F") too. "100%25" and "%25zz" pass.
   */
  private static Target.Ambiguous doubleEncoding(String path) {
    for (int i = path.indexOf("%25"); i >= 0; i = path.indexOf("%25", i + 3)) {
      if (hexByte(path, i + 3, path.length()) >= 0) {
        return ambiguous(DOUBLE_ENCODING, "double percent-encoding (%25" + path.substring(i + 3, i + 5) + ")");
      }
    }
    return null;
  }

  /**
   * Validates one UTF-8 sequence of escapes at {@code s[i]} and appends it (upper-case hex).
   * Overlong forms (the classic {@code %C0%AF} for "/"), surrogates and code points above
   * U+10FFFF are refused (RFC 3629 section 3), as are code points whose NFKC form contains ASCII
   * (fullwidth "／", "．", "ａ"): a backend that normalises Unicode would read them as ASCII; so are
   * those whose simple upper or lower case is ASCII, for backends that ignore case.
   */
  private static Target.Ambiguous appendUtf8(String s, int i, int end, StringBuilder out) {
    int lead = escapedByte(s, i, end);
    int length = utf8Length(lead);
    if (length == 0) return ambiguous(INVALID_UTF8, "invalid UTF-8 in percent-encoding");
    int cp = lead & (0xFF >> (length + 1));
    for (int k = 1; k < length; k++) {
      int b = escapedByte(s, i + 3 * k, end);
      if (b < 0) {
        if (i + 3 * k < end && s.charAt(i + 3 * k) == '%') {
          return ambiguous(BAD_PERCENT_ENCODING, "'%' must be followed by two hex digits");
        }
        return ambiguous(INVALID_UTF8, "invalid UTF-8 in percent-encoding");
      }
      int min = 0x80;
      int max = 0xBF;
      if (k == 1) {
        if (lead == 0xE0) min = 0xA0; // overlong 3-byte
        if (lead == 0xED) max = 0x9F; // surrogates
        if (lead == 0xF0) min = 0x90; // overlong 4-byte
        if (lead == 0xF4) max = 0x8F; // above U+10FFFF
      }
      if (b < min || b > max) return ambiguous(INVALID_UTF8, "invalid UTF-8 in percent-encoding");
      cp = (cp << 6) | (b & 0x3F);
    }
    int type = Character.getType(cp);
    if (type == Character.CONTROL) {
      return ambiguous(ENCODED_CONTROL, "encoded control character in path");
    }
    // NBSP, U+2028, zero-width and bidi marks: trimmed or dropped by some normalisers (String.strip,
    // NFKC_Casefold), so "..<U+2028>" or "adm<U+200B>in" could become ".." or "admin".
    if (type == Character.FORMAT
        || type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR) {
      return ambiguous(INVISIBLE_CHARACTER, "encoded invisible character " + codePoint(cp));
    }
    String nfkc = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
    for (int k = 0; k < nfkc.length(); k++) {
      if (nfkc.charAt(k) < 0x80) {
        return ambiguous(UNICODE_LOOKALIKE, "encoded character " + codePoint(cp) + " normalises to ASCII");
      }
    }
    // U+0130 and U+0131 (dotted I, dotless i) have simple case mappings to ASCII 'i' and 'I':
    // a backend matching paths ignoring case that way (Java's equalsIgnoreCase, .NET's upper-case
    // invariant) reads "/api/adm%C4%B1n" as "/api/admin".
    if (Character.toUpperCase(cp) < 0x80 || Character.toLowerCase(cp) < 0x80) {
      return ambiguous(UNICODE_LOOKALIKE, "encoded character " + codePoint(cp) + " changes case to ASCII");
    }
    for (int k = 0; k < length; k++) appendEscape(out, escapedByte(s, i + 3 * k, end));
    return null;
  }

  /** Bytes in the UTF-8 sequence that {@code lead} starts; 0 if it cannot start one. */
  private static int utf8Length(int lead) {
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
  }

  /** The byte of the escape {@code %HH} at {@code s[i]}, or -1 if there is none. */
  private static int escapedByte(String s, int i, int end) {
    if (i >= end || s.charAt(i) != '%') return -1;
    return hexByte(s, i + 1, end);
  }

  /** The byte spelled by the two hex digits at {@code s[i]}, or -1 if there are not two. */
  private static int hexByte(String s, int i, int end) {
    if (i + 1 >= end) return -1;
    int hi = hexDigit(s.charAt(i));
    int lo = hexDigit(s.charAt(i + 1));
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
  }

  /** ASCII hex only: Character.digit would also accept fullwidth and other Unicode digits. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static void appendEscape(StringBuilder out, int b) {
    out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
  }

  private static boolean isSpaceEscape(CharSequence out, int at) {
    return out.charAt(at) == '%' && out.charAt(at + 1) == '2' && out.charAt(at + 2) == '0';
  }

  private static boolean isDotSegment(CharSequence out, int start, int length) {
    return (length == 1 && out.charAt(start) == '.')
        || (length == 2 && out.charAt(start) == '.' && out.charAt(start + 1) == '.');
  }

  /** RFC 3986 section 2.3. */
  static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** RFC 3986 section 3.3 pchar without pct-encoded and without ';' (handled by the caller). */
  private static boolean isPcharRaw(char c) {
    return isUnreserved(c) || "!$&'()*+,=:@".indexOf(c) >= 0;
  }

  private static String codePoint(int c) {
    return String.format(Locale.ROOT, "U+%04X", c);
  }

  private static Target.Ambiguous ambiguous(String code, String reason) {
    return new Target.Ambiguous(code, reason);
  }

  /** Host and port of an authority or Host header, for equality only. */
  private record Authority(String host, int port) {

    /** Null when {@code value} is null or not {@code host[:port]} / {@code [v6][:port]}. */
    static Authority parse(String value, int defaultPort) {
      if (value == null || value.isEmpty()) return null;
      int hostEnd;
      if (value.charAt(0) == '[') {
        hostEnd = value.indexOf(']') + 1;
        if (hostEnd == 0) return null;
      } else {
        hostEnd = value.indexOf(':');
        if (hostEnd < 0) hostEnd = value.length();
        if (hostEnd == 0) return null;
      }
      int port = defaultPort;
      if (hostEnd < value.length()) {
        if (value.charAt(hostEnd) != ':') return null;
        String digits = value.substring(hostEnd + 1);
        if (digits.isEmpty() || digits.length() > 5) return null;
        port = 0;
        for (int k = 0; k < digits.length(); k++) {
          char d = digits.charAt(k);
          if (d < '0' || d > '9') return null;
          port = port * 10 + (d - '0');
        }
        if (port > 65535) return null;
      }
      return new Authority(value.substring(0, hostEnd).toLowerCase(Locale.ROOT), port);
    }
  }
}
