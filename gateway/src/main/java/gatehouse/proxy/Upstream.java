package gatehouse.proxy;

import gatehouse.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import gatehouse.config.UpstreamTlsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;

/**
 * One configured upstream, compiled: its keep-alive connection pool and where requests go. The
 * client sends {@code Host: <host>[:<port>]} of the upstream url (the port only when it is not the
 * scheme's default), not the client's Host. For {@code https} the upstream's certificate is
 * verified against {@code tls.ca} (else the JDK's trust store) and {@code tls.server_name} (else the
 * url's host), which is also the SNI sent; {@code tls.cert}/{@code key} are presented when asked.
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
  /** {@code host[:port]} as sent in Host and signed as {@code @authority}. */
  final String authority;
  final HostAndPort hostHeader;
  /** The name the certificate must carry and the SNI: {@code server_name}, else the url's host. */
  final String tlsName;
  /** Where connections go: the url's host and port, whatever {@link #tlsName} says. */
  final SocketAddress address;
  final String basePath;
  final Duration connectTimeout;
  final Duration timeout;
  private final int maxConnections;
  private final int maxPending;
  private final Occupancy occupancy;
  /** This upstream's queued requests, all event loops together. */
  private final java.util.concurrent.atomic.AtomicInteger waiting;
  private final Vertx vertx;
  /** Lets Vert.x forget the closed client ({@link gatehouse.transport.HttpClients}). */
  private final Runnable release;
  /** Requests of this event loop handed to the pool (holding a connection or about to); event-loop confined. */
  private int inPool;
  /** Requests of this event loop waiting for {@link #inPool} to drop below max_connections, oldest first; event-loop confined. */
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

  private Upstream(
      String name,
      HttpClientAgent client,
      String host,
      int port,
      String authority,
      HostAndPort hostHeader,
      String tlsName,
      String basePath,
      Duration connectTimeout,
      Duration timeout,
      int maxConnections,
      int maxPending,
      Occupancy occupancy,
      Vertx vertx,
      Runnable release) {
    this.name = name;
    this.release = release;
    this.vertx = vertx;
    this.maxConnections = maxConnections;
    this.maxPending = maxPending;
    this.occupancy = occupancy;
    this.waiting = occupancy.waiting(name);
    this.client = client;
    this.host = host;
    this.port = port;
    this.authority = authority;
    this.hostHeader = hostHeader;
    this.tlsName = tlsName;
    this.address = SocketAddress.inetSocketAddress(port, host);
    this.basePath = basePath;
    this.connectTimeout = connectTimeout;
    this.timeout = timeout;
  }

  static Upstream compile(Vertx vertx, String name, UpstreamConfig config, Occupancy occupancy) {
    URI url = config.url();
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    if (!https && !"http".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException(
          "upstream '" + name + "': only http:// and https:// urls are supported, got scheme '" + url.getScheme() + "'");
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("upstream '" + name + "': url has no host");
    }
    if (config.maxConnections() < 1) {
      throw new IllegalArgumentException(
          "upstream '" + name + "': max_connections must be >= 1 but was " + config.maxConnections());
    }
    if (config.maxPending() < 0) {
      throw new IllegalArgumentException("upstream '" + name + "': max_pending must be >= 0 but was " + config.maxPending());
    }
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int defaultPort = https ? 443 : 80;
    int port = url.getPort() == -1 ? defaultPort : url.getPort();
    String hostForHeader = host.contains(":") ? "[" + host + "]" : host;
    String authority = authority(url);
    String tlsName = https ? config.tls().serverName().orElse(host) : host;
    String path = basePath(url);
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
    if (https) tls(options, config.tls());
    // The backstop of request(): the pool counts connections being opened as waiters.
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnections())
        .setMaxWaitQueueSize((int) Math.min(Integer.MAX_VALUE, (long) config.maxPending() + config.maxConnections()));
    HttpClientAgent client = vertx.httpClientBuilder().with(options).with(pool)
        // Without a handler Vert.x logs every failed connection at ERROR, one line per request when
        // an upstream answers garbage. The exchange answers 502 and the access log has each one.
        .withConnectHandler(connection -> connection.exceptionHandler(
            t -> occupancy.upstreamLog().warn(name + " connection", "upstream '{}': connection failed: {}", name, String.valueOf(t))))
        .build();
    Runnable release = gatehouse.transport.HttpClients.releaser(vertx, client);
    return new Upstream(
        name,
        client,
        host,
        port,
        authority,
        HostAndPort.create(hostForHeader.toLowerCase(java.util.Locale.ROOT), port == defaultPort ? -1 : port),
        tlsName,
        path,
        config.connectTimeout(),
        config.timeout(),
        config.maxConnections(),
        config.maxPending(),
        occupancy,
        vertx,
        release);
  }

  /**
   * A request on a pooled connection, or a refusal ({@link ConnectionPoolTooBusyException}, so
   * 503 {@code upstream_busy}) when {@code max_connections + max_pending} requests of this event
   * loop already hold or wait for one: HAProxy's {@code maxconn} plus {@code maxqueue}. A request
   * counts from here until {@code ended} completes (the exchange's one ending). Waiting for a free
   * connection is bounded by {@code options}' connect timeout, as HAProxy's {@code timeout queue}
   * defaults to {@code timeout connect}; past it the future fails with a {@link TimeoutException} (504).
   *
   * <p>A request that came while {@code max_connections} requests already held a connection, and
   * whose wait timed out, fails with {@link QueueTimeout}: what it waited for was the gateway's own
   * queue, behind busy connections, not the upstream. One that had room to connect and timed out
   * failed to connect, which is the upstream's fault.
   *
   * <p>The wait queue is this class's, not the pool's: the pool's waiters cannot be withdrawn, so
   * a request whose client went away (an HTTP/2 stream reset while it waited) kept its place and
   * then took a connection, and thousands of such streams filled the pool's queue and refused live
   * requests. Here an ended request leaves the queue at once and is never handed a connection.
   * The pool's own {@code maxWaitQueueSize} stays set, one pool's worth higher, as a backstop.
   */
  Future<HttpClientRequest> request(RequestOptions options, Future<?> ended) {
    if (ended.isComplete()) {
      return Future.failedFuture(new IllegalStateException("upstream '" + name + "': the exchange ended before its request was sent"));
    }
    if (inPool + queue.size() >= maxConnections + maxPending) {
      occupancy.busy(name);
      return Future.failedFuture(new ConnectionPoolTooBusyException("upstream '" + name + "': all connections busy and "
          + maxPending + " requests waiting"));
    }
    if (inPool < maxConnections) {
      return toPool(options, ended, false);
    }
    long wait = Math.max(1, options.getConnectTimeout());
    Waiter waiter = new Waiter(options, ended, System.nanoTime() + wait * 1_000_000);
    queue.addLast(waiter);
    waiting.incrementAndGet();
    waiter.timer = vertx.setTimer(wait, id -> {
      if (leave(waiter)) {
        waiter.promise.fail(new QueueTimeout(name, wait));
      }
    });
    ended.onComplete(ar -> leave(waiter));
    return waiter.promise.future();
  }

  /**
   * No pooled connection came free within {@code connect_timeout} for a request that queued
   * behind busy ones: 504 like any timeout, but the upstream was never asked, so its breaker does
   * not count it (as Envoy's outlier detection ignores a pool overflow, envoyproxy/envoy#25487).
   */
  static final class QueueTimeout extends TimeoutException {
    QueueTimeout(String upstream, long waitedMillis) {
      super("upstream '" + upstream + "': no pooled connection came free within " + waitedMillis + " ms");
    }
  }

  /** Logs that the TLS handshake with this upstream failed, for {@code reason}; throttled for the process. */
  void tlsFailed(String reason) {
    occupancy.upstreamLog().warn(name, "upstream '{}': TLS handshake failed: {}", name, reason);
  }

  /**
   * Hands a request to the pool. It keeps its place until both its exchange has ended and the pool
   * has answered: a request whose client went away while the pool opened its connection still
   * holds that connection until it is reset. Then the next live waiter takes the place.
   */
  private Future<HttpClientRequest> toPool(RequestOptions options, Future<?> ended, boolean queued) {
    inPool++;
    Future<HttpClientRequest> pooled = client.request(options).recover(e -> {
      if (e instanceof ConnectionPoolTooBusyException) occupancy.busy(name);
      // Netty's ConnectTimeoutException is not a TimeoutException: a connect that timed out stays one.
      if (queued && e instanceof TimeoutException && !(e instanceof QueueTimeout)) return Future.failedFuture(new QueueTimeout(name, options.getConnectTimeout()));
      return Future.failedFuture(e);
    });
    Future.join(ended, pooled).onComplete(ar -> {
      inPool--;
      Waiter next = queue.pollFirst();
      if (next != null) {
        waiting.decrementAndGet();
        vertx.cancelTimer(next.timer);
        // What is left of its wait bounds the pool's, so the whole wait stays within the connect timeout.
        next.options.setConnectTimeout(Math.max(1, (next.deadline - System.nanoTime()) / 1_000_000));
        toPool(next.options, next.ended, true).onComplete(next.promise);
      }
    });
    return pooled;
  }

  /** Takes {@code waiter} out of the queue; false if it had already left (timed out, ended, or sent to the pool). */
  private boolean leave(Waiter waiter) {
    if (!queue.remove(waiter)) return false;
    waiting.decrementAndGet();
    vertx.cancelTimer(waiter.timer);
    return true;
  }

  /** A request waiting for a pooled connection. */
  private static final class Waiter {
    final RequestOptions options;
    final Future<?> ended;
    final long deadline;
    final Promise<HttpClientRequest> promise = Promise.promise();
    long timer = -1;

    Waiter(RequestOptions options, Future<?> ended, long deadline) {
      this.options = options;
      this.ended = ended;
      this.deadline = deadline;
    }
  }

  /**
   * TLS 1.2 and 1.3 with hostname verification (RFC 9110 section 4.3.4); trust is {@code ca} alone
   * when set (an internal CA should not be diluted by every public one), else the JDK's store.
   */
  private static void tls(HttpClientOptions options, UpstreamTlsConfig tls) {
    options.setSsl(true).setVerifyHost(true).setForceSni(true)
        .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
    tls.ca().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    if (tls.cert().isPresent() && tls.key().isPresent()) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().get().toString()).setKeyPath(tls.key().get().toString()));
    }
  }

  /** The request target sent upstream: the url's base path, then the pipeline's path and query. */
  String target(String pathAndQuery) {
    return target(basePath, pathAndQuery);
  }

  static String target(String basePath, String pathAndQuery) {
    // "*" (OPTIONS *, RFC 9112 section 3.2.4) names the server, not a path: no base path applies.
    return basePath.isEmpty() || pathAndQuery.equals("*") ? pathAndQuery : basePath + pathAndQuery;
  }

  /** {@code host[:port]} of an http(s) {@code url}, lower-case, the port only when not the scheme's default: its Host. */
  static String authority(URI url) {
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int defaultPort = https ? 443 : 80;
    int port = url.getPort() == -1 ? defaultPort : url.getPort();
    String hostForHeader = host.contains(":") ? "[" + host + "]" : host;
    return (port == defaultPort ? hostForHeader : hostForHeader + ":" + port).toLowerCase(java.util.Locale.ROOT);
  }

  /** The path of {@code url} without trailing slashes: what every target sent to it starts with. */
  static String basePath(URI url) {
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }

  Future<Void> close() {
    return gatehouse.transport.HttpClients.close(client, release);
  }
}
