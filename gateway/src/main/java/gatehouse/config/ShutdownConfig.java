package gatehouse.config;

import java.time.Duration;

/**
 * {@code shutdown}: what SIGTERM (or SIGINT) does. {@code /ready} answers 503 at once; the gateway
 * listener keeps accepting for {@code delay}, so that load balancers and Kubernetes endpoints stop
 * sending new connections first; then it stops accepting and the requests in flight have {@code
 * timeout} to finish before their connections are closed.
 *
 * @param delay how long the listener keeps accepting after the signal, default 0s: outside a load
 *     balancer (a terminal, systemd, {@code docker run}) nothing needs the time, and the gateway
 *     cannot tell whether something routes to it; behind one, set it to how long the balancer takes
 *     to stop sending (docs/operations.md, Stopping)
 * @param timeout how long requests in flight may take once the listener stops accepting, default
 *     20s: with {@code delay: 5s} the whole stop fits Kubernetes' default 30 s grace period
 */
public record ShutdownConfig(Duration delay, Duration timeout) {
  public static final Duration DEFAULT_DELAY = Duration.ZERO;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
  public static final ShutdownConfig DEFAULTS = new ShutdownConfig(DEFAULT_DELAY, DEFAULT_TIMEOUT);

  public ShutdownConfig {
    if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative, got " + delay);
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
  }
}
