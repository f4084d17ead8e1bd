package gatehouse.route;

import gatehouse.config.ConfigException;
import gatehouse.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The routes of one config, compiled once: ordered, the first match wins. Immutable and safe to
 * share between threads; {@link #match} takes no lock and allocates nothing but the regex
 * {@code Matcher} of a regex route it tries.
 */
public final class RouteTable {

  private final CompiledRoute[] routes;

  private RouteTable(CompiledRoute[] routes) {
    this.routes = routes;
  }

  /**
   * Compiles {@code routes} in order.
   *
   * @param fileName the config file, for messages
   * @throws ConfigException listing every problem: a match that is not exactly one of path,
   *     prefix, regex; a path, prefix or rewrite prefix that is not a normalised path (it could
   *     never equal a parsed target); a host with a port; a {@code strip_prefix} the route's paths
   *     do not start with. (Routes that an earlier route shadows are refused by the config loader,
   *     which sees the YAML before this table exists.)
   */
  public static RouteTable compile(List<RouteConfig> routes, String fileName)
      throws ConfigException {
    List<ConfigException.Problem> problems = new ArrayList<>();
    CompiledRoute[] compiled = new CompiledRoute[routes.size()];
    for (int i = 0; i < routes.size(); i++) {
      compiled[i] = compileOne(routes.get(i), "routes[" + i + "]", fileName, problems);
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return new RouteTable(compiled);
  }

  /**
   * The first route that takes the request, or empty (404).
   *
   * @param method the request method, compared case-sensitively (RFC 9110 section 9.1)
   * @param host the Host or {@code :authority} value, may carry a port, may be a bracketed IPv6
   *     literal, may be null (then only routes without {@code host} match); compared without the
   *     port and without one trailing dot, ASCII case-insensitively
   * @param target a parsed target; its normalised path is what is matched
   */
  public Optional<RouteConfig> match(String method, String host, RequestTarget target) {
    String path = target.path();
    int hostEnd = HostPattern.hostEnd(host);
    for (CompiledRoute route : routes) {
      if (route.matches(method, host, hostEnd, path)) return route.found;
    }
    return Optional.empty();
  }

  private static CompiledRoute compileOne(
      RouteConfig route, String key, String file, List<ConfigException.Problem> problems) {
    int before = problems.size();
    RouteConfig.Match m = route.match();
    int kinds =
        (m.path().isPresent() ? 1 : 0)
            + (m.prefix().isPresent() ? 1 : 0)
            + (m.regex().isPresent() ? 1 : 0);
    PathPattern path = null;
    if (kinds != 1) {
      problems.add(
          problem(route, key + ".match", file, "exactly one of path, prefix, regex is required"));
    } else if (m.path().isPresent()) {
      String p = normalised(m.path().get(), route, key + ".match.path", file, problems);
      if (p != null) path = PathPattern.exact(p);
    } else if (m.prefix().isPresent()) {
      String p = normalised(m.prefix().get(), route, key + ".match.prefix", file, problems);
      if (p != null) path = PathPattern.prefix(p);
    } else {
      path = PathPattern.regex(m.regex().get());
    }

    HostPattern host = null;
    if (m.host().isPresent()) {
      host = HostPattern.compile(m.host().get());
      if (host == null) {
        problems.add(
            problem(route, key + ".match.host", file,
                "'" + m.host().get() + "' is not a host name, *.domain or [IPv6] without a port"));
      }
    }

    if (route.stripPrefix().isPresent()) {
      String strip =
          normalised(route.stripPrefix().get(), route, key + ".strip_prefix", file, problems);
      if (strip != null && path != null && !path.alwaysStartsWith(UpstreamPath.base(strip))) {
        problems.add(
            problem(route, key + ".strip_prefix", file,
                "'" + strip + "' is not a prefix of every path the route matches"));
      }
    }
    route.addPrefix().ifPresent(a -> normalised(a, route, key + ".add_prefix", file, problems));

    if (problems.size() != before) return null;
    return new CompiledRoute(route, path, m.methods(), host);
  }

  /** {@code value} if it is already a normalised path, else null and a problem. */
  private static String normalised(
      String value, RouteConfig route, String key, String file,
      List<ConfigException.Problem> problems) {
    Target parsed = TargetParser.parse(value, null);
    String why;
    if (!value.startsWith("/")) {
      why = "must start with /";
    } else if (parsed instanceof Target.Ambiguous ambiguous) {
      why = ambiguous.code();
    } else if (parsed instanceof Target.Parsed ok) {
      if (ok.target().rawQuery().isPresent()) {
        why = "must not contain '?'";
      } else if (!ok.target().path().equals(value)) {
        why = "normalises to '" + ok.target().path() + "'";
      } else {
        return value;
      }
    } else {
      throw new AssertionError(parsed);
    }
    problems.add(problem(route, key, file, "'" + value + "' is not a normalised path (" + why + ")"));
    return null;
  }

  private static ConfigException.Problem problem(
      RouteConfig route, String key, String file, String message) {
    return new ConfigException.Problem(file, route.line(), key, message);
  }

  /** One route ready to match. */
  private static final class CompiledRoute {
    final RouteConfig config;
    final Optional<RouteConfig> found;
    final PathPattern path;
    final Set<String> methods;
    final HostPattern host; // null: any host

    CompiledRoute(RouteConfig config, PathPattern path, Set<String> methods, HostPattern host) {
      this.config = config;
      this.found = Optional.of(config);
      this.path = path;
      this.methods = methods;
      this.host = host;
    }

    boolean matches(String method, String hostHeader, int hostEnd, String requestPath) {
      return (methods.isEmpty() || methods.contains(method))
          && (host == null || host.matches(hostHeader, hostEnd))
          && path.matches(requestPath);
    }

  }

  /** Exact path, segment-aware prefix, or full-match regex over the normalised path. */
  private static final class PathPattern {
    private enum Kind { EXACT, PREFIX, REGEX }

    private final Kind kind;
    // EXACT: the path. PREFIX: the prefix without a trailing '/', "" for "/".
    private final String value;
    private final Pattern regex;

    private PathPattern(Kind kind, String value, Pattern regex) {
      this.kind = kind;
      this.value = value;
      this.regex = regex;
    }

    static PathPattern exact(String path) {
      return new PathPattern(Kind.EXACT, path, null);
    }

    /** "/api" and "/api/" both take "/api" and "/api/..." but not "/apix". */
    static PathPattern prefix(String prefix) {
      return new PathPattern(Kind.PREFIX, UpstreamPath.base(prefix), null);
    }

    static PathPattern regex(Pattern regex) {
      return new PathPattern(Kind.REGEX, null, regex);
    }

    boolean matches(String path) {
      switch (kind) {
        case EXACT:
          return path.equals(value);
        case PREFIX:
          return UpstreamPath.underBase(value, path);
        case REGEX:
          return regex.matcher(path).matches();
        default:
          throw new AssertionError(kind);
      }
    }


    /** Every path this matches starts with {@code base} segment-wise; false for a regex. */
    boolean alwaysStartsWith(String base) {
      return kind != Kind.REGEX && UpstreamPath.underBase(base, value);
    }
  }

  /**
   * A {@code host:} of a route: an exact name or {@code *.domain} (one or more labels before
   * {@code .domain}), stored lower-case without a trailing dot; IPv6 literals bracketed.
   */
  private static final class HostPattern {
    private final String name; // exact name, or ".domain" for a wildcard
    private final boolean wildcard;

    private HostPattern(String name, boolean wildcard) {
      this.name = name;
      this.wildcard = wildcard;
    }

    /** Null when {@code value} is not a host pattern (empty, with a port, a stray '*'). */
    static HostPattern compile(String value) {
      String v = value.toLowerCase(Locale.ROOT);
      if (v.endsWith(".")) v = v.substring(0, v.length() - 1);
      boolean wildcard = v.startsWith("*.");
      if (wildcard) v = v.substring(1);
      if (v.isEmpty() || v.equals(".") || v.indexOf('*') >= 0 || v.indexOf('/') >= 0) return null;
      if (v.startsWith("[")) {
        if (wildcard || !v.endsWith("]") || v.indexOf(']') != v.length() - 1) return null;
      } else if (v.indexOf(':') != v.lastIndexOf(':')) {
        if (wildcard) return null;
        v = "[" + v + "]"; // a bare IPv6 literal in config; the Host header always brackets it
      } else if (v.indexOf(':') >= 0) {
        return null; // a port: routes match on the name only
      }
      for (int k = 0; k < v.length(); k++) {
        if (v.charAt(k) >= 0x80) return null;
      }
      return new HostPattern(v, wildcard);
    }

    /**
     * The end of the name in a Host value: before the port and before one trailing dot (DNS
     * reads "a.example.com." as "a.example.com", and so do nginx and most virtual hosts); -1 for
     * null or an unterminated "[".
     */
    static int hostEnd(String host) {
      if (host == null) return -1;
      int end;
      if (host.startsWith("[")) {
        end = host.indexOf(']') + 1;
        if (end == 0) return -1;
      } else {
        end = host.indexOf(':');
        if (end < 0) end = host.length();
      }
      if (end > 0 && host.charAt(end - 1) == '.') end--;
      return end;
    }

    boolean matches(String host, int hostEnd) {
      if (hostEnd < 0) return false;
      if (!wildcard) return hostEnd == name.length() && asciiEqualsIgnoreCase(host, 0, name);
      return hostEnd > name.length() && asciiEqualsIgnoreCase(host, hostEnd - name.length(), name);
    }


    /**
     * {@code host[from, from + lower.length())} equals {@code lower}, folding ASCII only: {@link
     * String#regionMatches(boolean, int, String, int, int)} would also fold the Kelvin sign to 'k'.
     */
    private static boolean asciiEqualsIgnoreCase(String host, int from, String lower) {
      for (int k = 0; k < lower.length(); k++) {
        char c = host.charAt(from + k);
        if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
        if (c != lower.charAt(k)) return false;
      }
      return true;
    }
  }
}
