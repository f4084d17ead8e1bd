package gatehouse.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code upstreams.<name>.tls}, for an {@code https} upstream: whom to trust and which client
 * certificate to present (mutual TLS).
 *
 * @param ca CA certificates trusted for the upstream, instead of the system trust store
 * @param cert the gateway's client certificate chain (with {@code key})
 * @param key its private key
 * @param serverName the name the upstream's certificate must carry, and the SNI sent; default the
 *     url's host
 */
public record UpstreamTlsConfig(Optional<Path> ca, Optional<Path> cert, Optional<Path> key, Optional<String> serverName) {
  public static UpstreamTlsConfig defaults() {
    return new UpstreamTlsConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }
}
