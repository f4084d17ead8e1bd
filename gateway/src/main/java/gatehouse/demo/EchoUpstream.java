package gatehouse.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.TreeSet;

/**
 * The demo's upstream on loopback: answers every request with the method, target and headers it
 * received, so a person can see exactly what the gateway forwarded.
 */
public final class EchoUpstream {
  private final HttpServer server;

  private EchoUpstream(HttpServer server) {
    this.server = server;
  }

  public static Future<EchoUpstream> start(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(EchoUpstream::echo).listen(0, "127.0.0.1").map(EchoUpstream::new);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  private static void echo(HttpServerRequest request) {
    request.body().onComplete(body -> {
      JsonObject headers = new JsonObject();
      new TreeSet<>(request.headers().names()).forEach(name -> headers.put(name, String.join(", ", request.headers().getAll(name))));
      JsonObject echo = new JsonObject()
          .put("method", request.method().name())
          .put("target", request.uri())
          .put("headers", headers)
          .put("body_bytes", body.succeeded() ? body.result().length() : -1);
      request.response().putHeader("Content-Type", "application/json").end(echo.encodePrettily() + "\n");
    });
  }
}
