package gatehouse.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header namespace only the gateway may write upstream. A name matches when, lower-cased and
 * with every {@code _} read as {@code -}, it equals a reserved name or starts with a reserved
 * prefix (a configured name ending in {@code *}). The {@code _} rule exists because CGI-style
 * servers (and many frameworks behind them) map {@code X_User_Id} and {@code X-User-Id} to the same
 * variable.
 */
public final class ReservedHeaders {
  private final List<String> exact = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();

  /** Compiles {@code patterns} such as {@code X-User-*} and {@code X-Scopes}. */
  public ReservedHeaders(Iterable<String> patterns) {
    for (String p : patterns) {
      String n = canonical(p);
      if (n.endsWith("*")) prefixes.add(n.substring(0, n.length() - 1));
      else exact.add(n);
    }
  }

  /**
   * Whether a client header called {@code name} must be removed. An ASCII name (every name HTTP
   * allows) is compared in place, character by character, rather than by building its canonical
   * form: this runs for every header of every request.
   */
  public boolean matches(String name) {
    int from = 0;
    int to = name.length();
    for (int i = 0; i < to; i++) {
      if (name.charAt(i) >= 128) return matchesCanonical(canonical(name));
    }
    while (from < to && Character.isWhitespace(name.charAt(from))) from++;
    while (to > from && Character.isWhitespace(name.charAt(to - 1))) to--;
    int length = to - from;
    for (String e : exact) if (e.length() == length && asciiCanonicalStartsWith(name, from, e)) return true;
    for (String p : prefixes) if (p.length() <= length && asciiCanonicalStartsWith(name, from, p)) return true;
    return false;
  }

  private boolean matchesCanonical(String n) {
    for (String e : exact) if (e.equals(n)) return true;
    for (String p : prefixes) if (n.startsWith(p)) return true;
    return false;
  }

  /** Whether the ASCII {@code name} from {@code from}, read as {@link #canonical}, starts with {@code canonical}. */
  private static boolean asciiCanonicalStartsWith(String name, int from, String canonical) {
    for (int i = 0; i < canonical.length(); i++) {
      char c = name.charAt(from + i);
      if (c == '_') c = '-';
      else if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
      if (c != canonical.charAt(i)) return false;
    }
    return true;
  }

  private static String canonical(String name) {
    return name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
