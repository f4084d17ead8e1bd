package gatehouse.route;

import gatehouse.config.RouteConfig;

/**
 * The path sent upstream for a matched route: {@code strip_prefix} removed, then
 * {@code add_prefix} prepended, both segment-aware. Both prefixes are normalised paths (checked by
 * {@link RouteTable#compile}), so the result is a normalised path too.
 */
public final class UpstreamPath {

  private UpstreamPath() {}

  /**
   * The path of the upstream's origin-form target, rewritten from the request's normalised
   * {@code path}; the query is the credential stage's to give.
   *
   * <p>{@code strip_prefix /api/public} turns {@code /api/public/x} into {@code /x}, {@code
   * /api/public/} into {@code /} and {@code /api/public} into {@code /}; a path it does not
   * prefix segment-wise (only possible for a regex route) is left alone. {@code add_prefix /v2}
   * then gives {@code /v2/x}, {@code /v2/}, and {@code /v2} for the bare prefix, so a trailing
   * slash is neither added nor lost.
   */
  public static String path(RouteConfig route, String path) {
    String rest = path;
    if (route.stripPrefix().isPresent()) {
      String strip = base(route.stripPrefix().get());
      if (underBase(strip, path)) rest = path.substring(strip.length());
    }
    String add = route.addPrefix().map(UpstreamPath::base).orElse("");
    return add.isEmpty() && rest.isEmpty() ? "/" : add + rest;
  }

  /** A prefix without its trailing '/': "/api/" and "/api" give "/api", "/" gives "". */
  static String base(String prefix) {
    return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }

  /** {@code path} is {@code base} or continues it with '/': "/api" is under "/api", "/apix" not. */
  static boolean underBase(String base, String path) {
    return path.startsWith(base)
        && (path.length() == base.length() || path.charAt(base.length()) == '/');
  }
}
