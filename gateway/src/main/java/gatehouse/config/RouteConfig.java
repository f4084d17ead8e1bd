package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code routes:}. Routes are tried in order; the first match wins.
 *
 * @param id {@code id:} if given, else {@code routes[i]}; used in logs
 * @param line the line of the route in the config file, for messages
 * @param match what requests this route takes
 * @param upstream name of an entry of {@code upstreams}
 * @param policy the route's policy, or the config's {@code default_policy}
 * @param stripPrefix {@code strip_prefix}: removed from the path before forwarding
 * @param addPrefix {@code add_prefix}: prepended to the path (after stripping) before forwarding
 * @param timeout overrides the upstream's {@code timeout}
 * @param maxBodyBytes {@code max_body}: request body limit for this route
 * @param websocket {@code websocket}: whether upgrades are passed through (default true)
 * @param maxConcurrent {@code max_concurrent}: requests this route may have in flight at once,
 *     counted across event loops; one more answers 503 {@code route_busy}. Empty: unlimited
 * @param rateLimits {@code rate_limits}: this route's own buckets, on top of the top-level ones
 */
public record RouteConfig(
    String id,
    int line,
    Match match,
    String upstream,
    Policy policy,
    Optional<String> stripPrefix,
    Optional<String> addPrefix,
    Optional<Duration> timeout,
    long maxBodyBytes,
    boolean websocket,
    Optional<Integer> maxConcurrent,
    List<RateLimitConfig> rateLimits) {

  public RouteConfig {
    rateLimits = List.copyOf(rateLimits);
  }

  /** A route without rate limits of its own. */
  public RouteConfig(String id, int line, Match match, String upstream, Policy policy, Optional<String> stripPrefix,
      Optional<String> addPrefix, Optional<Duration> timeout, long maxBodyBytes, boolean websocket, Optional<Integer> maxConcurrent) {
    this(id, line, match, upstream, policy, stripPrefix, addPrefix, timeout, maxBodyBytes, websocket, maxConcurrent, List.of());
  }

  public RouteConfig(String id, int line, Match match, String upstream, Policy policy, Optional<String> stripPrefix,
      Optional<String> addPrefix, Optional<Duration> timeout, long maxBodyBytes, boolean websocket) {
    this(id, line, match, upstream, policy, stripPrefix, addPrefix, timeout, maxBodyBytes, websocket, Optional.empty());
  }

  /**
   * Whether a request sent by this route and one sent by {@code other} are handled alike: the
   * same upstream, policy, rewrites, timeout, body limit, upgrade rule, concurrency and rate limits; only {@code id},
   * {@code line} and {@code match} may differ. A request whose path picks one route with case and
   * another without is refused unless the two are handled alike (see {@code RouteTable}).
   */
  public boolean handledLike(RouteConfig other) {
    return withoutMatch().equals(other.withoutMatch());
  }

  /**
   * This route with id, line and match blanked. Built with the canonical constructor on purpose:
   * a field added to the record is then compared by {@link #handledLike} without anyone
   * remembering to add it.
   */
  private RouteConfig withoutMatch() {
    return new RouteConfig("", 0, NO_MATCH, upstream, policy, stripPrefix, addPrefix, timeout, maxBodyBytes,
        websocket, maxConcurrent, rateLimits);
  }

  private static final Match NO_MATCH =
      new Match(Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), Optional.empty());

  /**
   * {@code match:}. Exactly one of {@code path}, {@code prefix}, {@code regex}; {@code methods}
   * empty means every method; {@code host} empty means every host (exact, case-insensitive,
   * without port; a leading {@code *.} matches one or more labels). {@code caseSensitive}
   * ({@code case_sensitive}, default true) false: the path, prefix or regex is compared ignoring
   * ASCII case, for backends known to ignore case.
   */
  public record Match(
      Optional<String> path,
      Optional<String> prefix,
      Optional<Pattern> regex,
      Set<String> methods,
      Optional<String> host,
      boolean caseSensitive) {
    public Match {
      methods = Set.copyOf(methods);
    }

    /** A case-sensitive match. */
    public Match(Optional<String> path, Optional<String> prefix, Optional<Pattern> regex, Set<String> methods,
        Optional<String> host) {
      this(path, prefix, regex, methods, host, true);
    }

    /** By value: {@link Pattern} compares by identity, so the regex compares by its source and flags. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Match m && path.equals(m.path) && prefix.equals(m.prefix) && regexKey().equals(m.regexKey())
          && methods.equals(m.methods) && host.equals(m.host) && caseSensitive == m.caseSensitive;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(path, prefix, regexKey(), methods, host, caseSensitive);
    }

    private Optional<String> regexKey() {
      return regex.map(r -> r.flags() + ":" + r.pattern());
    }
  }
}
