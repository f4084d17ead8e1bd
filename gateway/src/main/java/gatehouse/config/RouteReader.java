package gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code routes:}, in order. Ids are unique and no route may be unreachable (see {@link Shadowing}). */
final class RouteReader {
  static final Shape.Obj MATCH = Shape.obj("Which requests the route takes: exactly one of path, prefix or regex,"
          + " optionally narrowed by methods and host.",
      Shape.key("path", Shape.text(), "This exact (normalised) path."),
      Shape.key("prefix", Shape.text(), "Paths starting with this, in whole segments when it does not end with '/'."),
      Shape.key("regex", Shape.text(), "A Java regular expression the whole normalised path must match."),
      Shape.key("methods", Shape.nonEmptyListOf(Shape.text()), "HTTP methods taken (upper-cased). Default: every method."),
      Shape.key("host", Shape.text(), "The Host the request names, without a port; '*.example.com' takes subdomains."),
      Shape.key("case_sensitive", Shape.flag(), "Whether the path is compared case-sensitively. Default true."))
      .exactlyOne("path", "prefix", "regex").named("match");
  static final Shape.Obj SHAPE = Shape.obj("A route: the first whose match takes a request handles it.",
      Shape.key("id", Shape.text("[\\x21-\\x7e]+"), "Names the route in logs and metrics; unique. Default routes[i]."),
      Shape.key("match", MATCH, MATCH.description()).required(),
      Shape.key("upstream", Shape.text(), "The name of an upstream under upstreams.").required(),
      Shape.key("policy", PolicyReader.SHAPE, "Who may pass. Default: default_policy."),
      Shape.key("strip_prefix", Shape.text(), "Removed from the path before forwarding: whole segments of the matched path or prefix."),
      Shape.key("add_prefix", Shape.text(), "Put in front of the forwarded path."),
      Shape.key("timeout", Shape.positiveSpan(), "Time allowed for the response headers; overrides the upstream's timeout."),
      Shape.key("max_body", Shape.size(0, Long.MAX_VALUE), "Largest request body (413 past it). Default limits.max_body."),
      Shape.key("websocket", Shape.flag(), "Whether WebSocket upgrades pass once the policy admits them. Default true."),
      Shape.key("max_concurrent", Shape.whole(1, 1_000_000), "Requests in flight on this route at once; more get 503. Default: no limit."),
      Shape.key("rate_limits", Shape.listOf(RateLimitReader.SHAPE), "This route's own rate limits, on top of the top-level ones."))
      .named("route");

  private final Reader reader;
  private final PolicyReader policies;
  private final Set<String> upstreams;
  private final Policy defaultPolicy;
  private final long defaultMaxBody;
  private final RateLimitReader rateLimits;

  RouteReader(Reader reader, PolicyReader policies, Set<String> upstreams, Policy defaultPolicy, long defaultMaxBody,
      RateLimitReader rateLimits) {
    this.rateLimits = rateLimits;
    this.reader = reader;
    this.policies = policies;
    this.upstreams = upstreams;
    this.defaultPolicy = defaultPolicy;
    this.defaultMaxBody = defaultMaxBody;
  }

  List<RouteConfig> readAll(Node node, String path) {
    List<RouteConfig> out = new ArrayList<>();
    Optional<List<Node>> items = reader.list(node, path);
    if (items.isEmpty()) return out;
    if (items.get().isEmpty()) reader.problems.add(node, path, "at least one route is required");
    Map<String, Integer> idLines = new HashMap<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < items.get().size(); i++) {
      String p = path + "[" + i + "]";
      Optional<RouteConfig> route = route(items.get().get(i), p);
      if (route.isEmpty()) continue;
      Integer first = idLines.putIfAbsent(route.get().id(), route.get().line());
      if (first != null) {
        reader.problems.add(route.get().line(), p + ".id", "route id '" + route.get().id()
            + "' is already used (line " + first + ")");
      }
      out.add(route.get());
      paths.add(p);
    }
    Shadowing.check(out, paths, reader.problems);
    return out;
  }

  private Optional<RouteConfig> route(Node node, String path) {
    Optional<Fields> fields = reader.fields(node, path, SHAPE);
    if (fields.isEmpty()) return Optional.empty();
    Fields f = fields.get();
    String id = f.text("id").filter(i -> f.literal("id")).orElse(path);
    if (f.has("id") && !id.matches("[\\x21-\\x7e]+")) {
      reader.problems.add(f.node("id").get(), f.pathOf("id"), "must be printable ASCII without spaces");
    }
    f.require("match");
    Optional<RouteConfig.Match> match = f.fields("match", MATCH).flatMap(this::match);
    f.require("upstream");
    Optional<String> upstream = f.text("upstream");
    upstream.filter(u -> !upstreams.contains(u)).ifPresent(u -> {
      String known = upstreams.isEmpty() ? "no upstreams are defined"
          : Suggestions.closest(u, upstreams).map(c -> "did you mean '" + c + "'?")
              .orElse("defined: " + String.join(", ", upstreams.stream().sorted().toList()));
      reader.problems.add(f.node("upstream").get(), f.pathOf("upstream"),
          "unknown upstream " + ((Node.Scalar) f.node("upstream").get()).shown() + " (" + known + ")");
    });
    Optional<Policy> policy = f.node("policy").isPresent()
        ? f.node("policy").flatMap(n -> policies.read(n, f.pathOf("policy")))
        : Optional.of(defaultPolicy);
    Optional<String> strip = f.text("strip_prefix").filter(s -> pathOk(f, "strip_prefix", s));
    strip.ifPresent(s -> match.ifPresent(m -> checkStrip(f, s, m)));
    Optional<String> add = f.text("add_prefix").filter(s -> pathOk(f, "add_prefix", s));
    Optional<Duration> timeout = f.duration("timeout", true);
    long maxBody = f.size("max_body", 0, Long.MAX_VALUE).orElse(defaultMaxBody);
    boolean websocket = f.bool("websocket").orElse(true);
    Optional<Integer> maxConcurrent = f.integer("max_concurrent", 1, 1_000_000);
    List<RateLimitConfig> limits = f.node("rate_limits").map(n -> rateLimits.list(n, f.pathOf("rate_limits"), true, policy)).orElse(List.of());
    if (match.isEmpty() || upstream.isEmpty() || policy.isEmpty()) return Optional.empty();
    return Optional.of(new RouteConfig(id, f.line(), match.get(), upstream.get(), policy.get(), strip, add,
        timeout, maxBody, websocket, maxConcurrent, limits));
  }

  /**
   * Stripping must leave a path that still starts with {@code /}, so the prefix is whole
   * segments without a trailing slash, and it must lie inside what the route matches.
   */
  private boolean pathOk(Fields f, String key, String value) {
    Node node = f.node(key).get();
    Optional<String> problem = Syntax.normalPath(value);
    if (problem.isEmpty() && value.endsWith("/")) {
      String trimmed = value.length() > 1 ? value.substring(0, value.length() - 1) : "";
      problem = Optional.of("must not end with '/' (" + (trimmed.isEmpty() ? "leave it out"
          : "write '" + trimmed + "'") + "; the forwarded path keeps its leading slash)");
    }
    problem.ifPresent(p -> reader.problems.add(node, f.pathOf(key), Reader.shown(node) + " " + p));
    return problem.isEmpty();
  }

  private void checkStrip(Fields f, String strip, RouteConfig.Match m) {
    Node node = f.node("strip_prefix").get();
    if (m.regex().isPresent()) {
      reader.problems.add(node, f.pathOf("strip_prefix"), "needs a path or prefix match, not regex");
      return;
    }
    String kind = m.path().isPresent() ? "path" : "prefix";
    String matched = m.path().or(m::prefix).orElseThrow();
    if (!Syntax.isSegmentPrefix(strip, matched)) {
      String shownMatch = f.mapping("match").flatMap(mm -> mm.entries().stream()
          .filter(e -> e.key().equals(kind)).map(e -> Reader.shown(e.value())).findFirst()).orElseThrow();
      reader.problems.add(node, f.pathOf("strip_prefix"), Reader.shown(node) + " is not a whole-segment prefix of"
          + " the route's " + kind + " " + shownMatch);
    }
  }

  private Optional<RouteConfig.Match> match(Fields f) {
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("path", "prefix", "regex")) if (f.has(k)) kinds.add(k);
    if (kinds.isEmpty()) {
      reader.problems.add(f.line(), f.path, "needs one of path, prefix or regex");
    } else if (kinds.size() > 1) {
      reader.problems.add(f.line(), f.path, "takes exactly one of path, prefix or regex (found "
          + String.join(", ", kinds) + ")");
    }
    Optional<String> path = f.text("path").filter(p -> matchPathOk(f, "path", p));
    Optional<String> prefix = f.text("prefix").filter(p -> matchPathOk(f, "prefix", p));
    Optional<Pattern> regex = f.text("regex").flatMap(r -> {
      try {
        return Optional.of(Pattern.compile(r));
      } catch (PatternSyntaxException e) {
        reader.problems.add(f.node("regex").get(), f.pathOf("regex"),
            "invalid regex: " + e.getDescription() + " near index " + e.getIndex());
        return Optional.empty();
      }
    });
    Set<String> methods = new LinkedHashSet<>();
    f.list("methods").ifPresent(items -> {
      if (items.isEmpty()) {
        reader.problems.add(f.node("methods").get(), f.pathOf("methods"),
            "must not be empty (leave it out to allow every method)");
      }
      for (int i = 0; i < items.size(); i++) {
        String p = f.pathOf("methods") + "[" + i + "]";
        Node item = items.get(i);
        reader.text(item, p).ifPresent(m -> {
          if (Syntax.isToken(m)) {
            methods.add(m.toUpperCase(Locale.ROOT));
          } else {
            reader.problems.add(item, p, Reader.shown(item) + " is not a valid HTTP method");
          }
        });
      }
    });
    Optional<String> host = f.text("host").map(h -> h.toLowerCase(Locale.ROOT)).filter(h -> {
      Optional<String> problem = Syntax.routeHost(h);
      problem.ifPresent(p -> reader.problems.add(f.node("host").get(), f.pathOf("host"), Reader.shown(f.node("host").get()) + " " + p));
      return problem.isEmpty();
    });
    boolean caseSensitive = f.bool("case_sensitive").orElse(true);
    if (kinds.size() != 1 || path.isEmpty() && prefix.isEmpty() && regex.isEmpty()) return Optional.empty();
    return Optional.of(new RouteConfig.Match(path, prefix, regex, methods, host, caseSensitive));
  }

  private boolean matchPathOk(Fields f, String key, String value) {
    Optional<String> problem = Syntax.normalPath(value);
    problem.ifPresent(p -> reader.problems.add(f.node(key).get(), f.pathOf(key), Reader.shown(f.node(key).get()) + " " + p));
    return problem.isEmpty();
  }
}
