package gatehouse.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A backend service. {@code url} is {@code http://host:port} with an optional base path that is
 * prepended to every forwarded path; or {@code https://...}, with {@code tls} saying whom to trust and
 * which client certificate to present.
 *
 * @param connectTimeout default 2s
 * @param timeout time allowed for the upstream's response headers, default 30s
 * @param maxConnections pool size per event loop, default 64
 * @param tls for https urls (ignored for http, where the reader refuses it)
 * @param sign the upstream's own {@code sign}, else the global one, else none
 * @param maxPending {@code max_pending}: requests that may wait for a pooled connection while all
 *     {@code maxConnections} are busy, per event loop as the pool is; one more answers 503
 *     {@code upstream_busy} at once. Default {@link #defaultMaxPending}
 * @param breaker {@code breaker}; none when absent
 */
public record UpstreamConfig(
    String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections, UpstreamTlsConfig tls, SignConfig sign,
    int maxPending, Optional<BreakerConfig> breaker) {

  /**
   * Twice the pool: a burst of up to three times the pool against a healthy upstream waits (at most
   * {@code connect_timeout}) instead of failing, while against a hung upstream the requests beyond
   * that fail at once instead of after {@code connect_timeout}.
   */
  public static int defaultMaxPending(int maxConnections) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * maxConnections);
  }

  public UpstreamConfig(String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections,
      UpstreamTlsConfig tls, SignConfig sign) {
    this(name, url, connectTimeout, timeout, maxConnections, tls, sign, defaultMaxPending(maxConnections), Optional.empty());
  }

  public UpstreamConfig(String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections) {
    this(name, url, connectTimeout, timeout, maxConnections, UpstreamTlsConfig.defaults(), SignConfig.none());
  }
}
