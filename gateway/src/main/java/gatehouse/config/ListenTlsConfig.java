package gatehouse.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code listen.tls}: TLS on the public listener (TLS 1.2 and 1.3 only, ALPN {@code h2} and
 * {@code http/1.1}). The files are PEM and are watched: a changed certificate or key is loaded
 * without a restart and without dropping connections.
 *
 * @param cert the certificate chain, leaf first
 * @param key the leaf's private key (PKCS#8, or PKCS#1 for RSA)
 * @param clientCa CA certificates that client certificates must chain to
 * @param clientAuth whether a client certificate is asked for; {@code REQUEST} by default when
 *     {@code client_ca} is set, else {@code NONE}
 */
public record ListenTlsConfig(Path cert, Path key, Optional<Path> clientCa, ClientAuth clientAuth) {

  /**
   * {@code client_auth}: {@code none}; {@code request} (a certificate is asked for, any is accepted
   * at the handshake, and only one the gateway verifies against {@code client_ca} is an identity);
   * or {@code require} (the handshake refuses all but a trusted, valid certificate).
   */
  public enum ClientAuth { NONE, REQUEST, REQUIRE }
}
