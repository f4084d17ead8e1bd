package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 7: the configured upstreams, each with its own keep-alive connection pool, and the one
 * operation the pipeline needs from them, {@link #forward}.
 *
 * <p>What the upstream receives: the client's method; {@link ProxyRequest#pathAndQuery()} verbatim
 * after the url's base path; the client's headers minus hop-by-hop ones (RFC 9110 section 7.6.1)
 * and those named in {@code Connection}, then the identity stage's edits, then {@code
 * X-Forwarded-For/-Proto/-Host} and {@code Forwarded}. {@code Host} is the upstream's own authority
 * (as nginx's default {@code proxy_set_header Host $proxy_host}), so virtual hosting at the upstream
 * keys on its configured name; the client's host travels in {@code X-Forwarded-Host}. Inbound
 * HTTP/2 is forwarded as HTTP/1.1.
 *
 * <p>Not an {@link AutoCloseable}: closing the pools is asynchronous, and a blocking {@code close()}
 * could be called from an event loop.
 */
public final class Upstreams {

  private final Map<String, Upstream> upstreams;
  private final ForwardedHeaders forwarded;
  private final Duration drainLimit;
  private final Vertx vertx;
  private final BodyLimits bodies;

  /**
   * Creates one HTTP client per upstream. Throws {@link IllegalArgumentException} for a config that
   * validation should have refused (a non-http url, a bad CIDR, a pool size below 1).
   *
   * @param drainLimit how long a client whose body will not be forwarded (the upstream answered
   *     first) may take to finish sending it, once the response is relayed; then its connection closes
   * @param bodies how long a request body may take and how much of it is read before forwarding
   */
  public Upstreams(Vertx vertx, Map<String, UpstreamConfig> upstreams, ForwardingConfig forwarding, Duration drainLimit,
      BodyLimits bodies) {
    this(vertx, upstreams, forwarding, drainLimit, bodies, new Occupancy());
  }

  /** As above, counting waiting and refused requests in the process's {@code occupancy}. */
  public Upstreams(Vertx vertx, Map<String, UpstreamConfig> upstreams, ForwardingConfig forwarding, Duration drainLimit,
      BodyLimits bodies, Occupancy occupancy) {
    this(compile(vertx, upstreams, occupancy), vertx, forwarding, drainLimit, bodies);
  }

  /** Over upstreams compiled already (and owned by whoever compiled them: {@link UpstreamPools}). */
  Upstreams(Map<String, Upstream> compiled, Vertx vertx, ForwardingConfig forwarding, Duration drainLimit, BodyLimits bodies) {
    this.forwarded = ForwardedHeaders.compile(forwarding);
    this.drainLimit = drainLimit;
    this.vertx = vertx;
    this.bodies = bodies;
    this.upstreams = Map.copyOf(compiled);
  }

  private static Map<String, Upstream> compile(Vertx vertx, Map<String, UpstreamConfig> upstreams, Occupancy occupancy) {
    Map<String, Upstream> compiled = new LinkedHashMap<>();
    try {
      upstreams.forEach((name, config) -> compiled.put(name, Upstream.compile(vertx, name, config, occupancy)));
    } catch (RuntimeException e) {
      compiled.values().forEach(Upstream::close);
      throw e;
    }
    return compiled;
  }

  /**
   * Forwards {@code in} to {@code request.upstream()} and relays the answer.
   *
   * <p>{@code in} must be paused with its body not yet read; this method reads it. Call it on
   * {@code in}'s event loop; it never blocks. It takes over {@code in}'s handlers and its response's
   * close handler. The future completes, never fails, when the exchange is over: {@link
   * Proxied.Responded} once the response was relayed to its end, {@link Proxied.Failed} when
   * nothing was sent and the caller must write the reply, {@link Proxied.Aborted} when the client
   * connection was cut or the client went away and nothing more may be written.
   *
   * @throws IllegalArgumentException if {@code request.upstream()} is not configured: the route
   *     table only names configured upstreams, so this is a bug
   */
  public Future<Proxied> forward(HttpServerRequest in, ProxyRequest request) {
    Upstream upstream = upstreams.get(request.upstream());
    if (upstream == null) {
      throw new IllegalArgumentException(
          "unknown upstream '" + request.upstream() + "' (configured: " + upstreams.keySet().stream().sorted().toList() + ")");
    }
    return new Exchange(in, request, upstream, forwarded, drainLimit, vertx, bodies).start();
  }

  /** Closes every pool; in-flight exchanges are cut. */
  public Future<Void> close() {
    List<Future<Void>> closing = upstreams.values().stream().map(Upstream::close).toList();
    return Future.all(closing).mapEmpty();
  }
}
