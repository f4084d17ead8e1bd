package gatehouse.credential;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Query and path parameter names compared the way the most lenient backend reads them: by their
 * skeleton, the ASCII letters (lower-cased) and digits left after percent-decoding, with every
 * other character dropped and a {@code [...]} suffix cut off. So {@code API_KEY}, {@code apiKey},
 * {@code api-key}, {@code api.key} and {@code api+key} (PHP turns {@code .} and space into
 * {@code _}), {@code api_key[]} and {@code api_key[0]} (PHP, Rails and Node's {@code qs} read
 * them as {@code api_key}) and {@code api%5Fkey} all have the skeleton {@code apikey}. A name with
 * characters outside ASCII is NFKC-normalised first and each character folded as Java's
 * {@code equalsIgnoreCase} does ({@code K}, the Kelvin sign, is {@code k}). Pure; an ASCII name
 * is compared in place, without allocating.
 */
final class ParamNames {

  private ParamNames() {}

  /** The skeleton of {@code name}, which is already decoded; for compiling configured names. */
  static String skeleton(String name) {
    StringBuilder out = new StringBuilder(name.length());
    String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
    int cut = bracketCut(n, 0, n.length(), false);
    for (int i = 0; i < cut; i++) {
      char c = fold(n.charAt(i));
      if (isAlnum(c)) out.append(c);
    }
    return out.toString();
  }

  /**
   * The index of the first of {@code skeletons} equal to the skeleton of the raw (still
   * percent-encoded) name {@code s[from, to)}, or -1.
   */
  static int match(String s, int from, int to, String[] skeletons) {
    if (skeletons.length == 0) return -1;
    int cut = bracketCut(s, from, to, true);
    if (needsDecoding(s, from, cut)) {
      String decoded = Normalizer.normalize(decode(s, from, cut, true), Normalizer.Form.NFKC);
      for (int k = 0; k < skeletons.length; k++) {
        if (skeletonEquals(decoded, 0, decoded.length(), skeletons[k], false)) return k;
      }
      return -1;
    }
    for (int k = 0; k < skeletons.length; k++) {
      if (skeletonEquals(s, from, cut, skeletons[k], true)) return k;
    }
    return -1;
  }

  /**
   * Whether the skeleton of {@code s[from, to)} is {@code skeleton}; with {@code escapes}, ASCII
   * {@code %XX} escapes and {@code +} are read as the characters they stand for.
   */
  private static boolean skeletonEquals(String s, int from, int to, String skeleton, boolean escapes) {
    int k = 0;
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      i++;
      if (escapes && c == '%') {
        int b = hexByte(s, i, to);
        if (b >= 0) {
          c = (char) b;
          i += 2;
        }
      }
      c = fold(c);
      if (!isAlnum(c)) continue;
      if (k == skeleton.length() || skeleton.charAt(k) != c) return false;
      k++;
    }
    return k == skeleton.length();
  }

  /**
   * Where the name {@code s[from, to)} ends once a {@code [...]} suffix is cut: at its first
   * {@code [} that a {@code ]} follows (PHP turns a {@code [} without one into {@code _}, which the
   * skeleton drops anyway).
   */
  private static int bracketCut(String s, int from, int to, boolean escapes) {
    for (int i = from; i < to; i++) {
      if (isChar(s, i, to, '[', escapes)) {
        for (int j = i + 1; j < to; j++) if (isChar(s, j, to, ']', escapes)) return i;
        return to;
      }
    }
    return to;
  }

  private static boolean isChar(String s, int i, int to, char wanted, boolean escapes) {
    char c = s.charAt(i);
    if (c == wanted) return true;
    return escapes && c == '%' && hexByte(s, i + 1, to) == wanted;
  }

  /** Whether {@code s[from, to)} holds a character or an escaped byte outside ASCII. */
  private static boolean needsDecoding(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) return true;
      if (c == '%' && hexByte(s, i + 1, to) >= 0x80) return true;
    }
    return false;
  }

  /**
   * {@code s[from, to)} percent-decoded as UTF-8 (malformed sequences become U+FFFD, a {@code %}
   * without two hex digits stays); with {@code plusIsSpace}, {@code +} is a space (HTML forms).
   */
  static String decode(String s, int from, int to, boolean plusIsSpace) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
    StringBuilder out = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int b = c == '%' ? hexByte(s, i + 1, to) : -1;
      if (b >= 0) {
        bytes.write(b);
        i += 2;
        continue;
      }
      if (bytes.size() > 0) {
        out.append(bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
      }
      out.append(plusIsSpace && c == '+' ? ' ' : c);
    }
    if (bytes.size() > 0) out.append(bytes.toString(StandardCharsets.UTF_8));
    return out.toString();
  }

  /** The byte of the two hex digits at {@code s[i]}, or -1. */
  static int hexByte(String s, int i, int to) {
    if (i + 1 >= to) return -1;
    int hi = Character.digit(s.charAt(i), 16);
    int lo = Character.digit(s.charAt(i + 1), 16);
    return hi < 0 || lo < 0 || s.charAt(i) >= 0x80 || s.charAt(i + 1) >= 0x80 ? -1 : hi * 16 + lo;
  }

  /** ASCII lower case; beyond ASCII, the letter Java's {@code equalsIgnoreCase} takes it for. */
  private static char fold(char c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    return Character.toLowerCase(Character.toUpperCase(c));
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}
