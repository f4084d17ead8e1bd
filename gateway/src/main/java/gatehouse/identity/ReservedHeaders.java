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

  /** Whether a client header called {@code name} must be removed. */
  public boolean matches(String name) {
    String n = canonical(name);
    for (String e : exact) if (e.equals(n)) return true;
    for (String p : prefixes) if (n.startsWith(p)) return true;
    return false;
  }

  private static String canonical(String name) {
    return name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
