package gatehouse.identity;

import java.util.List;
import java.util.Map;

/**
 * The one rule from a verified identity value to the bytes of its header (docs/policies-and-identity.md "Identity
 * headers"), for every authenticator:
 *
 * <ul>
 *   <li>A string becomes its UTF-8 bytes, each byte outside {@code 0x21..0x7E}, and {@code %},
 *       {@code +} and {@code ,}, written as {@code %XX} (upper-case hex). The result is visible
 *       ASCII only, and a plain ASCII value without space, {@code %}, {@code +} or {@code ,} is
 *       unchanged. Escaping {@code +} and {@code ,} lets every common percent-decoder (including
 *       form decoders, which read {@code +} as space) recover the string.
 *   <li>A number or a boolean is its JSON text, then as a string.
 *   <li>An array of those is each element encoded as above, joined by {@code ,}: a backend splits on
 *       {@code ,} and decodes each part.
 * </ul>
 *
 * <p>Distinct values give distinct bytes, except where the claims mean the same: a one-element
 * array and its element, a number or boolean and the string of its JSON text, and the empty values
 * ({@code ""}, {@code []}, {@code [""]}), which send no header at all, like a missing claim.
 *
 * <p>What cannot be carried faithfully is refused, never approximated: an object, an array holding
 * an array, an object or null, a string that is not valid Unicode (an unpaired surrogate, which a
 * UTF-8 encoder would turn into {@code ?}), and an encoded value over the configured length.
 */
final class IdentityValues {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private IdentityValues() {}

  /** The outcome of encoding one value. */
  sealed interface Encoding {
    /** The header value: visible ASCII only; empty means "send no header". */
    record Encoded(String ascii) implements Encoding {}

    /** The value cannot be carried faithfully; {@code why} describes its kind, never its content. */
    record Unrepresentable(String why) implements Encoding {}
  }

  /**
   * Encodes {@code value}, a JSON value as {@link gatehouse.authn.ClaimValue} holds it, into a
   * header value of at most {@code maxBytes} bytes. Pure; never throws for any value.
   */
  static Encoding encode(Object value, int maxBytes) {
    if (value instanceof List<?> list) return encodeArray(list, maxBytes);
    if (value instanceof String s) return encodeString(s, maxBytes);
    String text = scalarText(value);
    if (text == null) return new Encoding.Unrepresentable(kind(value));
    return encodeString(text, maxBytes);
  }

  private static Encoding encodeString(String s, int maxBytes) {
    int n = s.length();
    int plain = 0;
    while (plain < n && isPlain(s.charAt(plain))) plain++;
    if (plain == n) return n <= maxBytes ? new Encoding.Encoded(s) : tooLong(maxBytes);
    StringBuilder out = new StringBuilder(n + 16).append(s, 0, plain);
    String why = append(out, s, plain, maxBytes);
    return why == null ? new Encoding.Encoded(out.toString()) : new Encoding.Unrepresentable(why);
  }

  private static Encoding encodeArray(List<?> list, int maxBytes) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      Object element = list.get(i);
      String text = element instanceof String s ? s : scalarText(element);
      if (text == null) return new Encoding.Unrepresentable("an array holding " + kind(element));
      if (i > 0) out.append(',');
      String why = append(out, text, 0, maxBytes);
      if (why != null) return new Encoding.Unrepresentable(why);
    }
    if (out.length() > maxBytes) return tooLong(maxBytes);
    return new Encoding.Encoded(out.toString());
  }

  /**
   * Appends {@code s} from {@code from} to {@code out} by the rule; the reason it cannot, or null.
   * Stops as soon as {@code out} is longer than {@code maxBytes}, so a huge value costs little.
   */
  private static String append(StringBuilder out, String s, int from, int maxBytes) {
    int n = s.length();
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (isPlain(c)) out.append(c);
        else escape(out, c);
      } else if (c < 0x800) {
        escape(out, 0xC0 | c >> 6);
        escape(out, 0x80 | c & 0x3F);
      } else if (!Character.isSurrogate(c)) {
        escape(out, 0xE0 | c >> 12);
        escape(out, 0x80 | c >> 6 & 0x3F);
        escape(out, 0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        escape(out, 0xF0 | cp >> 18);
        escape(out, 0x80 | cp >> 12 & 0x3F);
        escape(out, 0x80 | cp >> 6 & 0x3F);
        escape(out, 0x80 | cp & 0x3F);
      } else {
        return "a string that is not valid Unicode (an unpaired surrogate)";
      }
      if (out.length() > maxBytes) return tooLongText(maxBytes);
    }
    return null;
  }

  /** Sent as itself: visible ASCII except the three characters the rule escapes. */
  private static boolean isPlain(char c) {
    return c >= 0x21 && c <= 0x7E && c != '%' && c != '+' && c != ',';
  }

  private static void escape(StringBuilder out, int b) {
    out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
  }

  /**
   * The JSON text of a number or boolean; null for anything else. An integral double below 10^15
   * is written without a fraction ({@code 42}, not {@code 42.0}): JSON does not tell 42 from 42.0.
   */
  private static String scalarText(Object value) {
    if (value instanceof Boolean || value instanceof Long || value instanceof Integer) return value.toString();
    if (value instanceof Double d && Double.isFinite(d)) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    }
    return null;
  }

  private static String kind(Object value) {
    if (value == null) return "null";
    if (value instanceof Map<?, ?>) return "an object";
    if (value instanceof List<?>) return "an array";
    if (value instanceof Double) return "a number that is not finite";
    return "a value of type " + value.getClass().getSimpleName();
  }

  private static Encoding tooLong(int maxBytes) {
    return new Encoding.Unrepresentable(tooLongText(maxBytes));
  }

  private static String tooLongText(int maxBytes) {
    return "longer than identity.max_header_value (" + maxBytes + " bytes) once encoded";
  }
}
