package gatehouse.credential;

/**
 * Text that is a credential by its look, wherever it appears:
 * <ul>
 *   <li>a Gatehouse API key: {@code gkey_} (in any case) followed by base62 characters (README
 *       "Key format"; the checksum is not checked: a mistyped or cut key is still mostly secret);
 *   <li>a JWT, JWS or JWE in compact serialization: {@code eyJ} (base64url of <code>{"</code>, the
 *       start of every JOSE header) followed by base64url characters and at least one {@code .}.
 * </ul>
 * Pure and allocation-free: this runs over every logged request target.
 */
final class CredentialShapes {
  static final String KEY_PREFIX = "gkey_";
  private static final String JOSE_START = "eyJ";

  private CredentialShapes() {}

  /** Where the first credential-shaped run in {@code s[from, to)} starts, or -1; see {@link #end}. */
  static int find(String s, int from, int to) {
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if ((c == 'g' || c == 'G') && isKeyAt(s, i, to)) return i;
      if (c == 'e' && s.startsWith(JOSE_START, i)) {
        int dot = joseDot(s, i, to);
        if (dot > 0) return i;
        // Every "eyJ" inside this run ends where it does, without a dot: one pass, not one per
        // "eyJ". A key inside the run is still found.
        for (int k = i + 1; k < -dot; k++) if (isKeyAt(s, k, to)) return k;
        i = -dot;
        continue;
      }
      i++;
    }
    return -1;
  }

  /** Where the credential found at {@code start} by {@link #find} ends (exclusive). */
  static int end(String s, int start, int to) {
    int i = start;
    if (s.regionMatches(true, start, KEY_PREFIX, 0, KEY_PREFIX.length())) {
      i += KEY_PREFIX.length();
      while (i < to && isBase62(s.charAt(i))) i++;
      return i;
    }
    while (i < to && (isBase64Url(s.charAt(i)) || s.charAt(i) == '.')) i++;
    return i;
  }

  private static boolean isKeyAt(String s, int i, int to) {
    int body = i + KEY_PREFIX.length();
    return body < to && s.regionMatches(true, i, KEY_PREFIX, 0, KEY_PREFIX.length()) && isBase62(s.charAt(body));
  }

  /**
   * For the {@code eyJ} at {@code i}: the index of the {@code .} that ends its first segment
   * (after at least one more character), or minus the index where its base64url run ends.
   */
  private static int joseDot(String s, int i, int to) {
    int j = i + JOSE_START.length();
    while (j < to && isBase64Url(s.charAt(j))) j++;
    if (j < to && s.charAt(j) == '.' && j > i + JOSE_START.length()) return j;
    return -Math.max(j, i + 1);
  }

  private static boolean isBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  private static boolean isBase64Url(char c) {
    return isBase62(c) || c == '-' || c == '_';
  }
}
