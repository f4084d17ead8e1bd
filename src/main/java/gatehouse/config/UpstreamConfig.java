package gatehouse.config;

import java.net.URI;
import java.time.Duration;

/**
 * A backend service. {@code url} is {@code http://host:port} with an optional base path that is
 * prepended to every forwarded path; {@code https} is refused until TLS to upstreams lands.
 *
 * @param connectTimeout default 2s
 * @param timeout time allowed for the upstream's response headers, default 30s
 * @param maxConnections pool size per event loop, default 64
 */
public record UpstreamConfig(
    String name, URI url, Duration connectTimeout, Duration timeout, int maxConnections) {}
