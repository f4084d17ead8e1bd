package gatehouse.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Refuses routes that can never match because an earlier route takes every request they would.
 * Routes are tried in order and the first match wins, so such a route is always a mistake, and
 * often one that silently puts a path under a weaker policy. Only provable cases are refused: a
 * prefix or regex route is never claimed to shadow a regex route. Prefixes are compared by whole
 * segments, which holds whether or not prefix matching itself is segment-aware.
 */
final class Shadowing {
  private Shadowing() {}

  static void check(List<RouteConfig> routes, List<String> paths, Problems problems) {
    for (int j = 0; j < routes.size(); j++) {
      RouteConfig later = routes.get(j);
      for (int i = 0; i < j; i++) {
        RouteConfig earlier = routes.get(i);
        if (covers(earlier.match(), later.match())) {
          problems.add(later.line(), paths.get(j), "route '" + later.id() + "' can never match: route '"
              + earlier.id() + "' (line " + earlier.line() + ") comes first and takes every request it would");
          break;
        }
      }
    }
  }

  /** Every request {@code b} matches, {@code a} matches too. */
  static boolean covers(RouteConfig.Match a, RouteConfig.Match b) {
    boolean methods = a.methods().isEmpty() || (!b.methods().isEmpty() && a.methods().containsAll(b.methods()));
    return methods && hostCovers(a.host(), b.host()) && pathCovers(a, b);
  }

  private static boolean hostCovers(Optional<String> a, Optional<String> b) {
    if (a.isEmpty()) return true;
    if (b.isEmpty()) return false;
    String x = a.get();
    String y = b.get();
    if (!x.startsWith("*.")) return x.equals(y);
    String suffix = x.substring(1);
    return y.startsWith("*.") ? y.substring(1).endsWith(suffix) : y.endsWith(suffix);
  }

  private static boolean pathCovers(RouteConfig.Match a, RouteConfig.Match b) {
    if (a.path().isPresent()) return a.path().equals(b.path());
    if (a.prefix().isPresent()) {
      String p = a.prefix().get();
      return b.path().or(b::prefix).map(q -> Syntax.isSegmentPrefix(p, q)).orElse(false);
    }
    Pattern r = a.regex().orElseThrow();
    return b.path().map(q -> r.matcher(q).matches()).orElse(false);
  }
}
