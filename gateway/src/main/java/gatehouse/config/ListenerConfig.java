package gatehouse.config;

/**
 * A listening socket. {@code listen} defaults to {@code 0.0.0.0:8080}, {@code admin} to
 * {@code 127.0.0.1:9901}. Port 0 picks a free port (tests).
 *
 * @param h2c {@code listen.h2c}: accept cleartext HTTP/2 (prior knowledge and {@code Upgrade: h2c})
 *     besides HTTP/1.1; default false, because with it on the server cannot see a connection until
 *     its first request head is complete, so {@code limits.header_read_timeout} cannot cover that
 *     first head (only {@code idle_timeout} does)
 * @param tls {@code listen.tls}; empty serves cleartext
 */
public record ListenerConfig(String host, int port, boolean h2c, java.util.Optional<ListenTlsConfig> tls) {
  public ListenerConfig(String host, int port) {
    this(host, port, false);
  }

  public ListenerConfig(String host, int port, boolean h2c) {
    this(host, port, h2c, java.util.Optional.empty());
  }
}
