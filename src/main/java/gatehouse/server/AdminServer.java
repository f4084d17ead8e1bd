package gatehouse.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;

/**
 * The admin listener (loopback by default): {@code GET /health} answers 200 while the process
 * serves; {@code GET /ready} answers 200 when every dependency is ready (config loaded, key sets
 * fetched), else 503 with the list.
 */
public final class AdminServer {
  private final Vertx vertx;
  private final Supplier<List<Readiness>> checks;
  private volatile String jwks = "{\"keys\":[]}";
  private HttpServer server;

  public AdminServer(Vertx vertx, Supplier<List<Readiness>> checks) {
    this.vertx = vertx;
    this.checks = checks;
  }

  /** Serves {@code json} at {@code /.well-known/jwks.json}: the gateway's public signing keys. */
  public AdminServer jwks(String json) {
    this.jwks = json;
    return this;
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
    if (!request.method().name().equals("GET")) {
      response.setStatusCode(405).putHeader("Allow", "GET").end(new JsonObject().put("error", "method_not_allowed").encode());
      return;
    }
    switch (request.path()) {
      case "/health" -> response.end(new JsonObject().put("status", "ok").encode());
      case "/.well-known/jwks.json" -> response.putHeader("Content-Type", "application/jwk-set+json").end(jwks);
      case "/ready" -> {
        List<Readiness> all = checks.get();
        boolean ready = all.stream().allMatch(Readiness::ready);
        JsonArray list = new JsonArray();
        all.forEach(c -> list.add(new JsonObject().put("name", c.name()).put("ready", c.ready()).put("detail", c.detail())));
        response.setStatusCode(ready ? 200 : 503).end(new JsonObject().put("ready", ready).put("checks", list).encode());
      }
      default -> response.setStatusCode(404).end(new JsonObject().put("error", "not_found").encode());
    }
  }
}
