package gatehouse.proxy;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.pipeline.Rejection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A stand-in for the real gateway: an HTTP server on 127.0.0.1 that pauses each request, hands it to
 * {@link Upstreams#forward} with the plan the test gives, records the {@link Proxied} outcome and,
 * for {@link Proxied.Failed}, writes a plain status with the rejection's {@code toString} as body.
 */
final class TestGateway implements AutoCloseable {

  static final String UPSTREAM = "orders";
  static final Duration WAIT = Duration.ofSeconds(10);
  /** How long a client whose body will not be forwarded may take to finish it (the gateway's is header_read_timeout). */
  static final Duration DRAIN_LIMIT = Duration.ofMillis(500);
  /** The defaults of {@code limits.body_timeout} and {@code limits.buffer_body}. */
  static final BodyLimits BODIES = new BodyLimits(Duration.ofSeconds(60), 64 << 10);
  /** As {@link #BODIES}, with every body streamed as it arrives. */
  static final BodyLimits STREAMING = new BodyLimits(Duration.ofSeconds(60), 0);

  private final Upstreams upstreams;
  private final HttpServer server;
  private final List<CompletableFuture<Proxied>> outcomes = new CopyOnWriteArrayList<>();
  private int claimed;

  private TestGateway(Vertx vertx, Upstreams upstreams, Function<HttpServerRequest, ProxyRequest> plan) {
    this.upstreams = upstreams;
    this.server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(in -> {
              in.pause();
              CompletableFuture<Proxied> outcome = next();
              upstreams.forward(in, plan.apply(in)).onComplete(ar -> {
                if (ar.failed()) {
                  outcome.completeExceptionally(ar.cause());
                  in.response().setStatusCode(500).end("forward failed: " + ar.cause());
                  return;
                }
                Proxied proxied = ar.result();
                if (proxied instanceof Proxied.Failed failed) {
                  in.response().setStatusCode(status(failed.rejection())).end(failed.rejection().toString());
                }
                outcome.complete(proxied);
              });
            });
  }

  /** Starts a gateway in front of one upstream named {@value #UPSTREAM}. */
  static TestGateway start(Vertx vertx, UpstreamConfig upstream, ForwardingConfig forwarding,
      Function<HttpServerRequest, ProxyRequest> plan) {
    return start(vertx, upstream, forwarding, BODIES, plan);
  }

  /** As {@link #start(Vertx, UpstreamConfig, ForwardingConfig, Function)}, with {@code bodies}. */
  static TestGateway start(Vertx vertx, UpstreamConfig upstream, ForwardingConfig forwarding, BodyLimits bodies,
      Function<HttpServerRequest, ProxyRequest> plan) {
    Upstreams upstreams = new Upstreams(vertx, Map.of(UPSTREAM, upstream), forwarding, DRAIN_LIMIT, bodies);
    TestGateway gateway = new TestGateway(vertx, upstreams, plan);
    await(gateway.server.listen());
    return gateway;
  }

  static TestGateway start(Vertx vertx, String upstreamUrl, Function<HttpServerRequest, ProxyRequest> plan) {
    return start(vertx, upstream(upstreamUrl), new ForwardingConfig(List.of()), plan);
  }

  static UpstreamConfig upstream(String url) {
    return new UpstreamConfig(UPSTREAM, URI.create(url), Duration.ofSeconds(2), Duration.ofSeconds(5), 4);
  }

  /** A plan that forwards the client's target unchanged, with no edits and a 1 MiB body limit. */
  static ProxyRequest plain(HttpServerRequest in) {
    return new ProxyRequest(UPSTREAM, in.uri(), headers -> {}, Optional.empty(), 1 << 20, false);
  }

  int port() {
    return server.actualPort();
  }

  /** The outcome of the {@code n}-th request (0-based), waiting up to 10 s for it. */
  Proxied outcome(int n) {
    try {
      return slot(n).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no outcome for request " + n, e);
    }
  }

  @Override
  public void close() {
    await(server.close());
    await(upstreams.close());
  }

  private synchronized CompletableFuture<Proxied> next() {
    return slot(claimed++);
  }

  private synchronized CompletableFuture<Proxied> slot(int n) {
    while (outcomes.size() <= n) {
      outcomes.add(new CompletableFuture<>());
    }
    return outcomes.get(n);
  }

  static int status(Rejection rejection) {
    if (rejection instanceof Rejection.PayloadTooLarge) {
      return 413;
    } else if (rejection instanceof Rejection.BadGateway) {
      return 502;
    } else if (rejection instanceof Rejection.GatewayTimeout) {
      return 504;
    } else if (rejection instanceof Rejection.BadRequest) {
      return 400;
    }
    return 500;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
