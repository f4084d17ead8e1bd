package gatehouse.server;

import gatehouse.config.GatehouseConfig;
import gatehouse.config.LimitsConfig;
import gatehouse.proxy.UpstreamPools;
import gatehouse.proxy.Upstreams;
import gatehouse.transport.AcceptedConnections;
import gatehouse.transport.IdleConnections;
import io.netty.channel.Channel;
import java.util.function.Consumer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One gateway listener bound to one event loop. Several instances share the port, so each
 * connection lives on one event loop with its own upstream pools.
 */
public final class GatewayVerticle extends VerticleBase {
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced on every HTTP/2 connection. */
  static final long H2_MAX_CONCURRENT_STREAMS = 100;
  /** RST_STREAM frames from a client per {@link #H2_RESET_WINDOW_SECONDS} before its connection is closed. */
  static final int H2_RESETS_PER_WINDOW = 200;
  static final int H2_RESET_WINDOW_SECONDS = 30;
  private final GatehouseConfig config;
  private final CurrentSnapshot snapshots;
  private final Optional<ListenerTls> tls;
  private final Drain drain;
  private final RequestIds requestIds = new RequestIds();
  /** When each connection's next request head is due; event-loop confined. */
  private HeadDeadlines heads;
  /** This event loop's upstream pools, one per upstream name and config, across snapshots; event-loop confined. */
  private UpstreamPools pools;
  /** This event loop's upstream clients, one set per distinct {@link Snapshot.UpstreamSpecs}; event-loop confined. */
  private final Map<Snapshot.UpstreamSpecs, Upstreams> upstreams = new HashMap<>();
  private Runnable stopPruning = () -> {};
  private Snapshot.UpstreamSpecs lastSpecs;
  private Upstreams lastUpstreams;
  private HttpServer server;

  /**
   * Serves each request with the snapshot {@code snapshots} holds when it arrives. {@code config}
   * gives the listener's address and limits, which a snapshot does not change; with {@code
   * listen.tls} set, {@code tls} is the listener's TLS material. {@code drain} counts its requests
   * and, once the gateway is stopping, ends their connections.
   */
  public GatewayVerticle(GatehouseConfig config, CurrentSnapshot snapshots, Optional<ListenerTls> tls, Drain drain) {
    this.config = config;
    this.snapshots = snapshots;
    this.tls = tls;
    this.drain = drain;
  }

  @Override
  public Future<?> start() {
    LimitsConfig limits = config.limits();
    pools = new UpstreamPools(vertx, snapshots.occupancy());
    upstreamsFor(snapshots.get().upstreams());
    // A drained snapshot's pools that no live snapshot shares are closed on this loop.
    io.vertx.core.Context loop = context;
    stopPruning = snapshots.onDrained(() -> loop.runOnContext(v -> prune()));
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
    // RFC 9113 section 6.5.2: HTTP/2 states the header limit in SETTINGS; without it Vert.x keeps 8 KiB.
    options.getInitialSettings().setMaxHeaderListSize(limits.maxHeaderBytes());
    // The HTTP/2 bounds docs/operations.md counts memory with, stated here rather than
    // left to Vert.x's defaults (the same values): streams open at once per connection, and the
    // RST_STREAM frames a connection may send per window before it is closed (CVE-2023-44487).
    options.getInitialSettings().setMaxConcurrentStreams(H2_MAX_CONCURRENT_STREAMS);
    options.setHttp2RstFloodMaxRstFramePerWindow(H2_RESETS_PER_WINDOW)
        .setHttp2RstFloodWindowDuration(H2_RESET_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    tls.ifPresent(t -> t.apply(options));
    Optional<ListenerTls> clientCertificates = tls.filter(ListenerTls::asksForClientCertificates);
    GatewayHandler handler = new GatewayHandler(snapshots, this::upstreamsFor, requestIds, clientCertificates,
        limits.headerReadTimeout(), limits.maxHeaderFields(), drain);
    heads = new HeadDeadlines(vertx, limits.headerReadTimeout(), limits.idleTimeout(), System::nanoTime, requestIds);
    heads.start();
    server = vertx.createHttpServer(options)
        .connectionHandler(heads::opened)
        .invalidRequestHandler(request -> GatewayHandler.invalid(request, requestIds))
        .requestHandler(request -> {
          heads.arrived(request);
          drain.arrived(request);
          handler.handle(request);
        });
    // At limits.max_connections a new connection evicts the one idle longest (IdleConnections).
    // Each connection's HTTP/1 decoder counts header fields (limits.max_header_fields).
    int maxFields = limits.maxHeaderFields();
    Consumer<Channel> countFields = connection -> HeaderFieldLimit.install(connection, options, maxFields);
    if (config.listen().port() != 0) {
      IdleConnections.evictOn(config.listen().port());
      AcceptedConnections.setUpOn(config.listen().port(), countFields);
    }
    return server.listen(config.listen().port(), config.listen().host())
        .onSuccess(s -> {
          IdleConnections.evictOn(s.actualPort());
          AcceptedConnections.setUpOn(s.actualPort(), countFields);
          tls.ifPresent(t -> t.register(s));
        });
  }

  /**
   * This event loop's upstream clients for {@code specs}, made the first time they are asked for.
   * Called on this verticle's event loop only.
   */
  private Upstreams upstreamsFor(Snapshot.UpstreamSpecs specs) {
    if (specs != lastSpecs) {
      lastUpstreams = upstreams.computeIfAbsent(specs, s -> pools.of(s.upstreams(), s.forwarding(), s.drainLimit(), s.bodies()));
      lastSpecs = specs;
    }
    return lastUpstreams;
  }

  /** Forgets the upstream clients of snapshots no longer live and closes the pools none of the live ones uses. */
  private void prune() {
    java.util.Set<Snapshot.UpstreamSpecs> live = new java.util.HashSet<>();
    snapshots.live().forEach(s -> live.add(s.upstreams()));
    upstreams.keySet().retainAll(live);
    if (!live.contains(lastSpecs)) {
      lastSpecs = null;
      lastUpstreams = null;
    }
    pools.retain(UpstreamPools.keys(live.stream().map(Snapshot.UpstreamSpecs::upstreams).toList()));
  }

  /** The port actually bound (differs from the config's when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Vert.x's graceful shutdown of this listener: stops accepting, ends idle connections, lets the
   * others finish within {@code timeout} (HTTP/2 ones after a GOAWAY), then closes what is left.
   */
  Future<Void> shutdown(Duration timeout) {
    return server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    tls.ifPresent(t -> t.unregister(server));
    stopPruning.run();
    heads.stop();
    IdleConnections.stopEvictingOn(server.actualPort());
    AcceptedConnections.stopSettingUpOn(server.actualPort());
    return server.close().eventually(pools::close);
  }
}
