package gatehouse.identity;

import gatehouse.config.HeaderRules;
import java.util.ArrayList;
import java.util.List;

/**
 * The header namespace only the gateway may write upstream. Names are compared by their
 * <em>skeleton</em>: the name's ASCII letters and digits, lower-cased, everything else left out
 * ({@code X-User-Id}, {@code x_user_id}, {@code X.User.Id}, {@code XUserId} and {@code X--User__Id}
 * all have the skeleton {@code xuserid}). A client header matches when its skeleton equals a
 * reserved name's, or starts with the skeleton of a reserved prefix (a configured name ending in
 * {@code *}). Backend stacks turn header names into the names applications read by changing only
 * case and punctuation ({@code HTTP_X_USER_ID} in CGI, WSGI, Rack and PHP, where PHP also turns
 * {@code .} into {@code _} and mod_fcgid every non-alphanumeric byte): no such folding can make two
 * names with different skeletons equal, so stripping by skeleton covers every stack (the README's
 * "Identity headers" has the table). A name that is not an RFC 9110 token matches too: the
 * listener refuses such names, and none may reach a backend whatever the parser let through.
 */
public final class ReservedHeaders {
  private final String[] exact;
  private final String[] prefixes;

  /**
   * Compiles {@code patterns} such as {@code X-User-*} and {@code X-Scopes}.
   *
   * @throws IllegalArgumentException if a pattern has no ASCII letter or digit: it would reserve
   *     every name (configuration refuses such names before they get here)
   */
  public ReservedHeaders(Iterable<String> patterns) {
    List<String> exactSkeletons = new ArrayList<>();
    List<String> prefixSkeletons = new ArrayList<>();
    for (String p : patterns) {
      boolean prefix = p.endsWith("*");
      String s = HeaderRules.skeleton(prefix ? p.substring(0, p.length() - 1) : p);
      if (s.isEmpty()) throw new IllegalArgumentException("reserved header '" + p + "' has no letter or digit");
      List<String> into = prefix ? prefixSkeletons : exactSkeletons;
      if (!into.contains(s)) into.add(s);
    }
    // A name under a reserved prefix (X-User-Id under X-User-*) is matched by the prefix already.
    exactSkeletons.removeIf(e -> prefixSkeletons.stream().anyMatch(e::startsWith));
    this.exact = exactSkeletons.toArray(String[]::new);
    this.prefixes = prefixSkeletons.toArray(String[]::new);
  }

  /**
   * Whether a client header called {@code name} must be removed. Allocates nothing: this runs for
   * every header of every request. One pass finds the skeleton's length and first character; only
   * reserved names that agree on both are compared, in place.
   */
  public boolean matches(String name) {
    if (name.isEmpty()) return true;
    int length = 0;
    char first = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (isLetterOrDigit(c)) {
        if (length++ == 0) first = lower(c);
      } else if (!isTokenPunctuation(c)) {
        return true;
      }
    }
    if (length == 0) return false;
    for (String e : exact) {
      if (e.length() == length && e.charAt(0) == first && skeletonStartsWith(name, e)) return true;
    }
    for (String p : prefixes) {
      if (p.length() <= length && p.charAt(0) == first && skeletonStartsWith(name, p)) return true;
    }
    return false;
  }

  /** Whether the skeleton of {@code name} starts with {@code skeleton}. */
  private static boolean skeletonStartsWith(String name, String skeleton) {
    int j = 0;
    for (int i = 0; i < name.length() && j < skeleton.length(); i++) {
      char c = name.charAt(i);
      if (isLetterOrDigit(c) && lower(c) != skeleton.charAt(j++)) return false;
    }
    return j == skeleton.length();
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** RFC 9110 section 5.6.2: the characters other than letters and digits a token may hold. */
  private static boolean isTokenPunctuation(char c) {
    switch (c) {
      case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
      case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
      default:
        return false;
    }
  }
}
