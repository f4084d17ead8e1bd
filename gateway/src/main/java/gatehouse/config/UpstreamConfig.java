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
 * @param breaker {@code breaker}; none when absent
 */
public record UpstreamConfig(String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections, UpstreamTlsConfig tls,
    SignConfig sign, Optional<BreakerConfig> breaker) {

  public UpstreamConfig(String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections, UpstreamTlsConfig tls,
      SignConfig sign) {
    this(name, url, connectTimeout, timeout, maxConnections, tls, sign, Optional.empty());
  }

  public UpstreamConfig(String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections) {
    this(name, url, connectTimeout, timeout, maxConnections, UpstreamTlsConfig.defaults(), SignConfig.none());
  }
}
