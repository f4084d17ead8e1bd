package gatehouse.server;

import gatehouse.config.GatehouseConfig;
import gatehouse.config.LimitsConfig;
import gatehouse.identity.UpstreamSigners;
import gatehouse.observe.Observer;
import gatehouse.pipeline.Pipeline;
import gatehouse.proxy.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One gateway listener bound to one event loop. Several instances share the port, so each
 * connection lives on one event loop with its own upstream pools.
 */
public final class GatewayVerticle extends VerticleBase {
  private final GatehouseConfig config;
  private final Pipeline pipeline;
  private final Observer observer;
  private final UpstreamSigners signers;
  private final Optional<ListenerTls> tls;
  private final RequestIds requestIds = new RequestIds();
  /** When each connection's next request head is due; event-loop confined. */
  private HeadDeadlines heads;
  private Upstreams upstreams;
  private HttpServer server;

  /** With each upstream's signer and, when {@code listen.tls} is set, the listener's TLS material. */
  public GatewayVerticle(GatehouseConfig config, Pipeline pipeline, Observer observer, UpstreamSigners signers,
      Optional<ListenerTls> tls) {
    this.config = config;
    this.pipeline = pipeline;
    this.observer = observer;
    this.signers = signers;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    LimitsConfig limits = config.limits();
    upstreams = new Upstreams(vertx, config.upstreams(), config.forwarding(), limits.headerReadTimeout());
    HttpServerOptions options = new HttpServerOptions()
        .setMaxInitialLineLength(limits.maxRequestLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setIdleTimeout((int) limits.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setHttp2ClearTextEnabled(config.listen().h2c())
        .setCompressionSupported(false)
        // WebSockets are spliced byte for byte after the upstream's 101, so extensions are the
        // client's and the upstream's business; without these Vert.x keeps a WebSocket extension
        // handler in every connection's pipeline, which every request and response passes through.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setHandle100ContinueAutomatically(false)
        .setTcpNoDelay(true);
    tls.ifPresent(t -> t.apply(options));
    Optional<ListenerTls> clientCertificates = tls.filter(ListenerTls::asksForClientCertificates);
    GatewayHandler handler = new GatewayHandler(pipeline, upstreams, observer, requestIds, signers, clientCertificates,
        limits.headerReadTimeout());
    heads = new HeadDeadlines(vertx, limits.headerReadTimeout(), limits.idleTimeout(), System::nanoTime);
    heads.start();
    server = vertx.createHttpServer(options)
        .connectionHandler(heads::opened)
        .invalidRequestHandler(request -> GatewayHandler.invalid(request, requestIds))
        .requestHandler(request -> {
          heads.arrived(request);
          handler.handle(request);
        });
    return server.listen(config.listen().port(), config.listen().host())
        .onSuccess(s -> tls.ifPresent(t -> t.register(s)));
  }

  /** The port actually bound (differs from the config's when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    tls.ifPresent(t -> t.unregister(server));
    heads.stop();
    return server.close().eventually(() -> upstreams.close());
  }
}
