package gatehouse.server;

import gatehouse.logging.ThrottledLogs;
import gatehouse.observe.Metrics;
import gatehouse.proxy.Lingering;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.revoke.DenyList;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The admin listener (loopback by default): {@code GET /health} answers 200 while the process
 * serves; {@code GET /ready} answers 200 when every dependency is ready (config loaded, key sets
 * fetched), else 503 with the list. With an admin token configured, {@code /keys} manages API keys
 * (see {@link KeyAdminApi}) and {@code /denylist} the token deny-list (see {@link DenyListApi}).
 */
public final class AdminServer {
  /** How long a client refused with 413 may take to finish its body before its connection closes. */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);
  private final Vertx vertx;
  private final Supplier<Snapshot> snapshots;
  private final Metrics metrics;
  private final DenyList denyList;
  private final RateLimiter limiter;
  private final Duration defaultDenyExpiry;
  /** Key management's failures, for every request and snapshot: one line per kind per window. */
  private final ThrottledLogs keyFailures;
  private HttpServer server;
  private final Drain drain;
  private volatile Optional<Reloads> reloads = Optional.empty();

  /**
   * With {@code /metrics} from {@code metrics}; readiness, the gateway's public signing keys ({@code
   * /.well-known/jwks.json}) and key management from the snapshot {@code snapshots} holds at each
   * request, {@code /ready} answering 503 once {@code drain} has begun. Key management answers
   * when the snapshot has a key store and its admin API a token;
   * the deny-list ({@code denyList}, entries kept {@code defaultDenyExpiry} unless a request says)
   * when the admin API has a token; a key's usage from {@code limiter}. {@code clock} times the windows of its throttled log lines.
   */
  public AdminServer(Vertx vertx, Supplier<Snapshot> snapshots, Metrics metrics, Clock clock, DenyList denyList, Duration defaultDenyExpiry,
      RateLimiter limiter, Drain drain) {
    this.limiter = limiter;
    this.vertx = vertx;
    this.drain = drain;
    this.snapshots = snapshots;
    this.metrics = metrics;
    this.keyFailures = new ThrottledLogs(LoggerFactory.getLogger(KeyAdminApi.class), clock);
    this.denyList = denyList;
    this.defaultDenyExpiry = defaultDenyExpiry;
  }

  /** Answers {@code POST /reload} with {@code reloads}, and shows its config version in {@code /ready}. */
  public void reloadWith(Reloads reloads) {
    this.reloads = Optional.of(reloads);
  }

  public Future<Integer> listen(String host, int port) {
    server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(30));
    server.requestHandler(this::handle);
    return server.listen(port, host).map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    var response = request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
    Snapshot snapshot = snapshots.get();
    if (KeyAdminApi.handles(request.path())) {
      handleKeys(request, snapshot);
      return;
    }
    if (DenyListApi.handles(request.path())) {
      handleDenyList(request, snapshot);
      return;
    }
    if (ReloadApi.handles(request.path()) && reloads.isPresent()) {
      handleReload(request, snapshot, reloads.get());
      return;
    }
    if (!request.method().name().equals("GET")) {
      response.setStatusCode(405).putHeader("Allow", "GET").end(new JsonObject().put("error", "method_not_allowed").encode());
      return;
    }
    switch (request.path()) {
      case "/health" -> response.end(new JsonObject().put("status", "ok").encode());
      case "/.well-known/jwks.json" -> response.putHeader("Content-Type", "application/jwk-set+json").end(snapshot.signers().jwks());
      case "/metrics" -> response.putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
      case "/ready" -> {
        List<Readiness> all = drain.readiness(snapshot.readiness().get());
        boolean ready = all.stream().allMatch(Readiness::ready);
        JsonArray list = new JsonArray();
        all.forEach(c -> list.add(new JsonObject().put("name", c.name()).put("ready", c.ready()).put("up", c.up()).put("detail", c.detail())));
        JsonObject body = new JsonObject().put("ready", ready).put("checks", list);
        reloads.ifPresent(r -> body.put("config", ReloadApi.version(r.current())));
        response.setStatusCode(ready ? 200 : 503).end(body.encode());
      }
      default -> response.setStatusCode(404).end(new JsonObject().put("error", "not_found").encode());
    }
  }

  /** 413; the rest of the body is read and dropped for at most {@link #DRAIN_LIMIT}, then the connection closes. */
  private static void tooLarge(HttpServerRequest request) {
    request.response().setStatusCode(413).putHeader("Connection", "close");
    if (request.version() != HttpVersion.HTTP_2) Lingering.closeWhenDrained(request, DRAIN_LIMIT);
    request.response().end(new JsonObject().put("error", "payload_too_large").encode());
  }

  private void handleDenyList(HttpServerRequest request, Snapshot snapshot) {
    if (snapshot.adminApi().token().isEmpty()) {
      request.response().setStatusCode(404).end(new JsonObject().put("error", "not_found")
          .put("message", "deny-list management is off: set auth.api_keys.admin_api.token").encode());
      return;
    }
    DenyListApi api = new DenyListApi(denyList, snapshot.adminApi(), defaultDenyExpiry);
    withBody(request, body -> api.handle(request.method(), request.path(), request.remoteAddress().hostAddress(),
        Optional.ofNullable(request.getHeader("Authorization")), body));
  }

  private void handleReload(HttpServerRequest request, Snapshot snapshot, Reloads reloads) {
    if (snapshot.adminApi().token().isEmpty()) {
      request.response().setStatusCode(404).end(new JsonObject().put("error", "not_found")
          .put("message", "reloading over HTTP is off: set auth.api_keys.admin_api.token (SIGHUP reloads too)").encode());
      return;
    }
    ReloadApi api = new ReloadApi(reloads, snapshot.adminApi());
    withBody(request, body -> api.handle(request.method().name(), request.remoteAddress().hostAddress(),
        Optional.ofNullable(request.getHeader("Authorization"))));
  }

  private void handleKeys(HttpServerRequest request, Snapshot snapshot) {
    var response = request.response();
    Optional<KeyAdminApi> keys = snapshot.adminApi().token().isPresent()
        ? snapshot.keyAdmin().map(k -> new KeyAdminApi(k, limiter, snapshot.adminApi(), keyFailures)) : Optional.empty();
    if (keys.isEmpty()) {
      response.setStatusCode(404).end(new JsonObject().put("error", "not_found")
          .put("message", "key management is off: set auth.api_keys.admin_api.token").encode());
      return;
    }
    withBody(request, body -> keys.get().handle(request.method(), request.path(), Optional.ofNullable(request.getParam("owner")),
        request.remoteAddress().hostAddress(), Optional.ofNullable(request.getHeader("Authorization")), body));
  }

  /** Reads the body (at most {@link KeyAdminApi#MAX_BODY}, else 413), hands it to {@code handler} and writes its reply. */
  private void withBody(HttpServerRequest request, java.util.function.Function<Buffer, Future<KeyAdminApi.Reply>> handler) {
    var response = request.response();
    String lengthHeader = request.getHeader("Content-Length");
    if (lengthHeader != null && lengthHeader.length() > 6) {
      tooLarge(request);
      return;
    }
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > KeyAdminApi.MAX_BODY) {
        if (!response.ended()) tooLarge(request);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (response.ended()) return;
      handler.apply(body)
          .onComplete(ar -> {
            KeyAdminApi.Reply reply = ar.succeeded() ? ar.result()
                : KeyAdminApi.Reply.error(500, "internal_error", "the admin request failed");
            reply.headers().forEach(response::putHeader);
            response.setStatusCode(reply.status()).end(reply.body().encode());
          });
    });
  }
}
