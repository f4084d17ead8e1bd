package gatehouse.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The most forgiving reading of one path segment that real backends are known to apply: decode
 * twice, NFKC, backslash as slash, cut {@code ;params}, trim whitespace and trailing dots, and
 * (for the route name) ignore case as Java's {@code equalsIgnoreCase} does. If the
 * gateway's segment survives this without becoming a separator or a dot segment, no backend reads
 * the path with a different shape than the gateway matched.
 */
final class LenientBackend {
  private LenientBackend() {}

  static String readSegment(String segment) {
    String s = decode(decode(segment));
    s = Normalizer.normalize(s, Normalizer.Form.NFKC).replace('\\', '/');
    int semicolon = s.indexOf(';');
    if (semicolon >= 0) s = s.substring(0, semicolon);
    s = s.strip();
    if (!s.equals(".") && !s.equals("..")) {
      while (s.endsWith(".") || s.endsWith(" ")) s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /**
   * Whether a lenient backend reads {@code path} as a path under {@code /api/admin}, ignoring case
   * (Express's default, ASP.NET Core, IIS; {@code equalsIgnoreCase} also folds U+0131 and U+0130).
   */
  static boolean readsAsAdmin(String path) {
    String[] segments = path.substring(1).split("/", -1);
    java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    for (String raw : segments) {
      for (String seg : readSegment(raw).split("/", -1)) {
        if (seg.isEmpty() || seg.equals(".")) continue;
        if (seg.equals("..")) {
          stack.pollLast();
        } else {
          stack.addLast(seg);
        }
      }
    }
    String[] parts = stack.toArray(new String[0]);
    return parts.length >= 2 && parts[0].equalsIgnoreCase("api") && parts[1].equalsIgnoreCase("admin");
  }

  private static String decode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length) {
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          bytes.write(hi << 4 | lo);
          i += 2;
          continue;
        }
      }
      bytes.write(in[i]);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
