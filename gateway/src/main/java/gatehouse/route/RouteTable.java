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
 * share between threads; {@link #route} takes no lock and allocates nothing but the regex
 * {@code Matcher} of a regex route it tries.
 *
 * <p>Case: paths are compared case-sensitively unless a route says {@code case_sensitive: false}.
 * Many backends ignore case (Express by default, ASP.NET Core, IIS, Spring with
 * {@code setCaseSensitive(false)}), so a request whose path takes one route as sent, but would take
 * an earlier route if case were ignored, could reach that earlier route's resource under the later
 * route's policy ({@code /api/Admin/users} past {@code prefix: /api/admin/} to a catch-all
 * {@code /api/}). Such a request is refused as {@code ambiguous_case} unless the two routes are
 * handled alike ({@link RouteConfig#handledLike}); matching no route as sent counts as a different
 * handling. Refusing on any difference, rather than only when the other policy is "stricter",
 * needs no order over policies (roles, scopes, providers, credential kinds do not form one) and
 * also covers upstreams, rewrites and body limits, which protect a backend as much as a policy.
 */
public final class RouteTable {
  static final String AMBIGUOUS_CASE = "ambiguous_case";

  private static final Routing NOT_FOUND = new Routing.NotFound();
  private static final Routing AMBIGUOUS = new Routing.Ambiguous(
      AMBIGUOUS_CASE, "the request takes another route when case is ignored");
  private static final int NONE = -1;
  private static final int REFUSED = -2;

  private final CompiledRoute[] routes;
  // For each route, the index of the first route handled like it: equal means handled alike.
  private final int[] handling;
  // Some route could take a path ignoring case that it does not take as sent.
  private final boolean foldablePaths;
  // Some such route's pattern has an upper-case letter, so even a lower-case path needs the check.
  private final boolean upperCasePatterns;
  // Some route lists methods, so a method with a lower-case letter needs the check.
  private final boolean methodLists;

  private RouteTable(CompiledRoute[] routes, int[] handling) {
    this.routes = routes;
    this.handling = handling;
    boolean foldable = false;
    boolean upper = false;
    boolean methods = false;
    for (CompiledRoute r : routes) {
      foldable |= r.foldable;
      upper |= r.foldable && r.path.mayHoldUpperCase;
      methods |= r.methodList.length > 0;
    }
    this.foldablePaths = foldable;
    this.upperCasePatterns = upper;
    this.methodLists = methods;
  }

  /**
   * Compiles {@code routes} in order.
   *
   * @param fileName the config file, for messages
   * @throws ConfigException listing every problem: a match that is not exactly one of path,
   *     prefix, regex; a path, prefix or rewrite prefix that is not a normalised path (it could
   *     never equal a parsed target); a host with a port; a {@code strip_prefix} the route's paths
   *     do not start with. (Routes that an earlier route shadows, with case or without, are refused
   *     by the config loader, which sees the YAML before this table exists.)
   */
  public static RouteTable compile(List<RouteConfig> routes, String fileName)
      throws ConfigException {
    List<ConfigException.Problem> problems = new ArrayList<>();
    CompiledRoute[] compiled = new CompiledRoute[routes.size()];
    for (int i = 0; i < routes.size(); i++) {
      compiled[i] = compileOne(routes.get(i), "routes[" + i + "]", fileName, problems);
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    int[] handling = new int[routes.size()];
    for (int i = 0; i < handling.length; i++) {
      handling[i] = i;
      for (int k = 0; k < i; k++) {
        if (routes.get(k).handledLike(routes.get(i))) {
          handling[i] = handling[k];
          break;
        }
      }
    }
    return new RouteTable(compiled, handling);
  }

  /**
   * The route that takes the request, no route (404), or a refusal because the case of the path
   * decides between two routes handled differently (400 {@code ambiguous_case}).
   *
   * @param method the request method, compared case-sensitively (RFC 9110 section 9.1)
   * @param host the Host or {@code :authority} value, may carry a port, may be a bracketed IPv6
   *     literal, may be null (then only routes without {@code host} match); compared without the
   *     port and without one trailing dot, ASCII case-insensitively
   * @param target a parsed target; its normalised path is what is matched
   */
  public Routing route(String method, String host, RequestTarget target) {
    int chosen = choose(method, host, target.path());
    if (chosen >= 0) return routes[chosen].routed;
    return chosen == NONE ? NOT_FOUND : AMBIGUOUS;
  }

  /** The route {@link #route} finds, or empty for no route and for a refusal. */
  public Optional<RouteConfig> match(String method, String host, RequestTarget target) {
    int chosen = choose(method, host, target.path());
    return chosen >= 0 ? routes[chosen].found : Optional.empty();
  }

  /**
   * The routes tried before the one {@link #route} picks for the same request (all of them when
   * none takes it), each with why it did not: for {@code gatehouse explain}. Uses the matchers
   * {@link #route} uses; not called while serving.
   */
  public List<Skipped> skipped(String method, String host, RequestTarget target) {
    String path = target.path();
    int hostEnd = HostPattern.hostEnd(host);
    List<Skipped> out = new ArrayList<>();
    for (CompiledRoute r : routes) {
      if (r.matches(method, host, hostEnd, path)) break;
      List<String> reasons = new ArrayList<>();
      if (!r.methods.isEmpty() && !r.methods.contains(method)) reasons.add("method " + method + " is not one of " + r.methods);
      if (r.host != null && !r.host.matches(host, hostEnd)) {
        reasons.add(host == null ? "the request has no host; the route needs " + r.host.describe()
            : "host " + host + " does not match " + r.host.describe());
      }
      if (!r.path.matches(path, r.path.ignoreCase)) reasons.add("path " + path + " does not match " + r.path.describe());
      out.add(new Skipped(r.config, reasons, r.matchesIgnoringCase(method, host, hostEnd, path)));
    }
    return out;
  }

  /** The index of the route, {@link #NONE} or {@link #REFUSED}. */
  private int choose(String method, String host, String path) {
    int hostEnd = HostPattern.hostEnd(host);
    int chosen = routes.length;
    for (int i = 0; i < routes.length; i++) {
      if (routes[i].matches(method, host, hostEnd, path)) {
        chosen = i;
        break;
      }
    }
    boolean pathHasUpper = foldablePaths && hasUpperCase(path);
    boolean methodHasLower = methodLists && hasLowerCase(method);
    if (pathHasUpper || upperCasePatterns || methodHasLower) {
      // Only an earlier route can take the request ignoring case and not as sent; the first such
      // route is the one a case-insensitive reading would pick.
      for (int i = 0; i < chosen; i++) {
        CompiledRoute r = routes[i];
        boolean pathMayFold = r.foldable && (pathHasUpper || r.path.mayHoldUpperCase);
        boolean methodMayFold = methodHasLower && r.methodList.length > 0;
        if ((pathMayFold || methodMayFold) && r.matchesIgnoringCase(method, host, hostEnd, path)) {
          if (chosen == routes.length || handling[i] != handling[chosen]) return REFUSED;
          break;
        }
      }
    }
    return chosen == routes.length ? NONE : chosen;
  }

  /** Whether {@code method} holds an ASCII lower-case letter; config methods are upper-cased. */
  private static boolean hasLowerCase(String method) {
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') return true;
    }
    return false;
  }

  /**
   * Whether {@code path} holds an ASCII upper-case letter outside percent-escapes. Escapes are
   * skipped: their hex digits are upper-case in every normalised path, config and request alike,
   * and folding them changes no match.
   */
  private static boolean hasUpperCase(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        i += 2;
      } else if (c >= 'A' && c <= 'Z') {
        return true;
      }
    }
    return false;
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
      if (p != null) path = PathPattern.exact(p, m.caseSensitive());
    } else if (m.prefix().isPresent()) {
      String p = normalised(m.prefix().get(), route, key + ".match.prefix", file, problems);
      if (p != null) path = PathPattern.prefix(p, m.caseSensitive());
    } else {
      path = PathPattern.regex(m.regex().get(), m.caseSensitive());
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
    final Routing routed;
    final PathPattern path;
    final Set<String> methods;
    final String[] methodList; // the same methods, for comparing ignoring case
    final HostPattern host; // null: any host
    // Matched case-sensitively, and ignoring case could make it take a path it does not as sent.
    final boolean foldable;

    CompiledRoute(RouteConfig config, PathPattern path, Set<String> methods, HostPattern host) {
      this.config = config;
      this.found = Optional.of(config);
      this.routed = new Routing.Found(config, found);
      this.path = path;
      this.methods = methods;
      this.methodList = methods.toArray(new String[0]);
      this.host = host;
      this.foldable = !path.ignoreCase && path.hasLetters;
    }

    boolean matches(String method, String hostHeader, int hostEnd, String requestPath) {
      return (methods.isEmpty() || methods.contains(method))
          && (host == null || host.matches(hostHeader, hostEnd))
          && path.matches(requestPath, path.ignoreCase);
    }

    /**
     * Whether the route takes the request when the case of the path and of the method is
     * ignored. Methods are case-sensitive (RFC 9110 section 9.1), but ASP.NET Core routing and
     * some other routers compare them ignoring case, so {@code get} is a variant of {@code GET}.
     */
    boolean matchesIgnoringCase(String method, String hostHeader, int hostEnd, String requestPath) {
      return methodMatchesIgnoringCase(method)
          && (host == null || host.matches(hostHeader, hostEnd))
          && path.matches(requestPath, true);
    }

    private boolean methodMatchesIgnoringCase(String method) {
      if (methodList.length == 0) return true;
      for (String m : methodList) {
        if (m.length() == method.length() && PathPattern.asciiRegionEqualsIgnoreCase(method, m)) return true;
      }
      return false;
    }
  }

  /**
   * Exact path, segment-aware prefix, or full-match regex over the normalised path, compared as
   * sent or ignoring ASCII case. Normalised paths are ASCII (anything else is percent-encoded), so
   * ASCII case is all the case there is to ignore.
   */
  private static final class PathPattern {
    private enum Kind { EXACT, PREFIX, REGEX }

    private final Kind kind;
    // EXACT: the path. PREFIX: the prefix without a trailing '/', "" for "/".
    private final String value;
    private final Pattern regex;
    private final Pattern regexIgnoringCase;
    final boolean ignoreCase;
    // Whether case could change what this matches at all.
    final boolean hasLetters;
    // Whether a path without upper-case letters could match ignoring case but not as sent: the
    // pattern has an upper-case letter, or is a regex with an escape that could stand for one.
    final boolean mayHoldUpperCase;

    private PathPattern(Kind kind, String value, Pattern regex, boolean caseSensitive) {
      this.kind = kind;
      this.value = value;
      this.regex = regex;
      this.regexIgnoringCase =
          regex == null ? null : Pattern.compile(regex.pattern(), regex.flags() | Pattern.CASE_INSENSITIVE);
      this.ignoreCase = !caseSensitive;
      String text = regex == null ? value : regex.pattern();
      boolean letters = regex != null;
      boolean upper = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '%' && regex == null) {
          i += 2; // hex digits of an escape, upper-case in every normalised path
        } else if (c >= 'A' && c <= 'Z') {
          letters = true;
          upper = true;
        } else if (c >= 'a' && c <= 'z') {
          letters = true;
        } else if (regex != null && (c == '\\' || c == '[')) {
          upper = true; // \x41, \p{Lu}, [!-^]
        }
      }
      this.hasLetters = letters;
      this.mayHoldUpperCase = upper;
    }

    static PathPattern exact(String path, boolean caseSensitive) {
      return new PathPattern(Kind.EXACT, path, null, caseSensitive);
    }

    /** "/api" and "/api/" both take "/api" and "/api/..." but not "/apix". */
    static PathPattern prefix(String prefix, boolean caseSensitive) {
      return new PathPattern(Kind.PREFIX, UpstreamPath.base(prefix), null, caseSensitive);
    }

    static PathPattern regex(Pattern regex, boolean caseSensitive) {
      return new PathPattern(Kind.REGEX, null, regex, caseSensitive);
    }

    boolean matches(String path, boolean ignoringCase) {
      switch (kind) {
        case EXACT:
          return path.length() == value.length()
              && (ignoringCase ? asciiRegionEqualsIgnoreCase(path, value) : path.equals(value));
        case PREFIX:
          if (!ignoringCase) return UpstreamPath.underBase(value, path);
          return path.length() >= value.length() && asciiRegionEqualsIgnoreCase(path, value)
              && (path.length() == value.length() || path.charAt(value.length()) == '/');
        case REGEX:
          return (ignoringCase ? regexIgnoringCase : regex).matcher(path).matches();
        default:
          throw new AssertionError(kind);
      }
    }

    /** The pattern as the config wrote it, for {@code gatehouse explain}. */
    String describe() {
      String text = switch (kind) {
        case EXACT -> "path " + value;
        case PREFIX -> "prefix " + value + "/";
        case REGEX -> "regex " + regex.pattern();
      };
      return ignoreCase ? text + " (ignoring case)" : text;
    }

    /** Every path this matches starts with {@code base} segment-wise; false for a regex. */
    boolean alwaysStartsWith(String base) {
      return kind != Kind.REGEX && UpstreamPath.underBase(base, value);
    }

    /** {@code path} starts with {@code value}, folding ASCII case only. */
    static boolean asciiRegionEqualsIgnoreCase(String path, String value) {
      for (int k = 0; k < value.length(); k++) {
        char a = path.charAt(k);
        char b = value.charAt(k);
        if (a != b && (!isAsciiLetter(a) || (a | 0x20) != (b | 0x20))) return false;
      }
      return true;
    }

    private static boolean isAsciiLetter(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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

    String describe() {
      return wildcard ? "*" + name : name;
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
