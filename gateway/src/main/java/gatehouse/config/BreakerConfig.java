package gatehouse.config;

import java.time.Duration;
import java.util.Objects;

/**
 * An upstream's {@code breaker}: after {@code consecutiveFailures} failures in a row that are the
 * upstream's fault, requests are answered 503 {@code upstream_unavailable} at once for {@code
 * openFor}; then one probe request goes through. A failed probe opens it again for twice as long,
 * up to {@code maxOpenFor}; a successful one closes it.
 *
 * @param consecutiveFailures {@code consecutive_failures}, default 5 (Envoy's {@code consecutive_gateway_failure})
 * @param openFor {@code open_for}, default 10s
 * @param maxOpenFor {@code max_open_for}, default 5m, at least {@code open_for}
 * @param per {@code per}: {@code route} (default), one breaker per route of the upstream, or {@code upstream}, one for all
 */
public record BreakerConfig(int consecutiveFailures, Duration openFor, Duration maxOpenFor, Scope per) {

  /** What one breaker guards. */
  public enum Scope { ROUTE, UPSTREAM }

  public static final int DEFAULT_FAILURES = 5;
  public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MAX_OPEN_FOR = Duration.ofMinutes(5);

  public BreakerConfig {
    Objects.requireNonNull(openFor, "openFor");
    Objects.requireNonNull(maxOpenFor, "maxOpenFor");
    Objects.requireNonNull(per, "per");
    if (consecutiveFailures < 1) throw new IllegalArgumentException("consecutiveFailures must be >= 1 but was " + consecutiveFailures);
    if (openFor.isNegative() || openFor.isZero()) throw new IllegalArgumentException("openFor must be positive but was " + openFor);
    if (maxOpenFor.compareTo(openFor) < 0) throw new IllegalArgumentException("maxOpenFor " + maxOpenFor + " is below openFor " + openFor);
  }
}
