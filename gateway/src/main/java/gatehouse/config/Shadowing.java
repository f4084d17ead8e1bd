package gatehouse.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Refuses routes that can never match because an earlier route takes every request they would.
 * Routes are tried in order and the first match wins, so such a route is always a mistake, and
 * often one that silently puts a path under a weaker policy. Only provable cases are refused: a
 * prefix or regex route is never claimed to shadow a regex route. Prefixes are compared by whole
 * segments, which holds whether or not prefix matching itself is segment-aware.
 *
 * <p>Case counts as the router reads it: a {@code case_sensitive: false} route takes every case
 * variant of its paths. A later route that an earlier one covers only when case is ignored is
 * refused too, unless both are handled alike: every path it matches differs only in case from one
 * the earlier route takes, and the router refuses such a request as {@code ambiguous_case} (see
 * {@code RouteTable}), so the later route could serve nothing.
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
        if (coversIgnoringCase(earlier.match(), later.match()) && !earlier.handledLike(later)) {
          problems.add(later.line(), paths.get(j), "route '" + later.id() + "' can never match: route '"
              + earlier.id() + "' (line " + earlier.line() + ") comes first and, ignoring case, takes every path"
              + " it would; such paths are refused as ambiguous_case (put route '" + later.id() + "' first)");
          break;
        }
      }
    }
  }

  /** Every request {@code b} matches, {@code a} matches too. */
  static boolean covers(RouteConfig.Match a, RouteConfig.Match b) {
    return methodsAndHostCover(a, b) && pathCovers(a, b, !a.caseSensitive());
  }

  /** Every request {@code b} matches, {@code a} matches when the case of the path is ignored. */
  static boolean coversIgnoringCase(RouteConfig.Match a, RouteConfig.Match b) {
    return methodsAndHostCover(a, b) && pathCovers(a, b, true);
  }

  private static boolean methodsAndHostCover(RouteConfig.Match a, RouteConfig.Match b) {
    boolean methods = a.methods().isEmpty() || (!b.methods().isEmpty() && a.methods().containsAll(b.methods()));
    return methods && hostCovers(a.host(), b.host());
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

  /** Paths in config are normalised, hence ASCII, so lower-casing them folds ASCII case only. */
  private static boolean pathCovers(RouteConfig.Match a, RouteConfig.Match b, boolean ignoreCase) {
    Optional<String> bPath = b.path().map(q -> fold(q, ignoreCase));
    if (a.path().isPresent()) return bPath.equals(a.path().map(p -> fold(p, ignoreCase)));
    if (a.prefix().isPresent()) {
      String p = fold(a.prefix().get(), ignoreCase);
      return bPath.or(() -> b.prefix().map(q -> fold(q, ignoreCase)))
          .map(q -> Syntax.isSegmentPrefix(p, q)).orElse(false);
    }
    Pattern r = a.regex().orElseThrow();
    Pattern used = ignoreCase ? Pattern.compile(r.pattern(), r.flags() | Pattern.CASE_INSENSITIVE) : r;
    return b.path().map(q -> used.matcher(q).matches()).orElse(false);
  }

  private static String fold(String path, boolean ignoreCase) {
    return ignoreCase ? path.toLowerCase(Locale.ROOT) : path;
  }
}
