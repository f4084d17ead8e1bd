package gatehouse.proxy;

import gatehouse.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;

/**
 * One configured upstream, compiled: its keep-alive connection pool and where requests go. The
 * client sends {@code Host: <host>[:<port>]} of the upstream url, not the client's Host.
 */
final class Upstream {

  /**
   * How long an idle pooled connection is kept. Below the 60 s of common servers' keep-alive so that
   * the gateway, not the upstream, usually closes an idle connection; a request is then rarely
   * written to a connection the upstream is closing at that moment (such a request fails as
   * {@code upstream_reset} and is not retried).
   */
  static final int KEEP_ALIVE_SECONDS = 30;

  final String name;
  final HttpClientAgent client;
  final String host;
  final int port;
  final String basePath;
  final Duration connectTimeout;
  final Duration timeout;

  private Upstream(
      String name,
      HttpClientAgent client,
      String host,
      int port,
      String basePath,
      Duration connectTimeout,
      Duration timeout) {
    this.name = name;
    this.client = client;
    this.host = host;
    this.port = port;
    this.basePath = basePath;
    this.connectTimeout = connectTimeout;
    this.timeout = timeout;
  }

  static Upstream compile(Vertx vertx, String name, UpstreamConfig config) {
    URI url = config.url();
    if (!"http".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException(
          "upstream '" + name + "': only http:// urls are supported, got scheme '" + url.getScheme() + "'");
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("upstream '" + name + "': url has no host");
    }
    if (config.maxConnections() < 1) {
      throw new IllegalArgumentException(
          "upstream '" + name + "': max_connections must be >= 1 but was " + config.maxConnections());
    }
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() == -1 ? 80 : url.getPort();
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    HttpClientOptions options =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setKeepAlive(true)
            .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
            .setPipelining(false)
            .setDecompressionSupported(false)
            .setConnectTimeout(Math.toIntExact(config.connectTimeout().toMillis()))
            .setShared(false)
            .setName("gatehouse-upstream-" + name);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnections());
    return new Upstream(
        name,
        vertx.createHttpClient(options, pool),
        host,
        port,
        path,
        config.connectTimeout(),
        config.timeout());
  }

  /** The request target sent upstream: the url's base path, then the pipeline's path and query. */
  String target(String pathAndQuery) {
    // "*" (OPTIONS *, RFC 9112 section 3.2.4) names the server, not a path: no base path applies.
    return basePath.isEmpty() || pathAndQuery.equals("*") ? pathAndQuery : basePath + pathAndQuery;
  }

  Future<Void> close() {
    return client.close();
  }
}
