package gatehouse.config;

import gatehouse.authz.Policy;
import java.time.Duration;
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
    boolean websocket) {

  /**
   * {@code match:}. Exactly one of {@code path}, {@code prefix}, {@code regex}; {@code methods}
   * empty means every method; {@code host} empty means every host (exact, case-insensitive,
   * without port; a leading {@code *.} matches one or more labels).
   */
  public record Match(
      Optional<String> path,
      Optional<String> prefix,
      Optional<Pattern> regex,
      Set<String> methods,
      Optional<String> host) {
    public Match {
      methods = Set.copyOf(methods);
    }
  }
}
