package gatehouse.abuse;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream on 127.0.0.1 that reads each request body whole and answers 200 {@code ok}, except
 * under a {@code /hang/} path, where it never answers. It keeps no record of requests, so its own
 * memory does not grow with the attack; it only counts them.
 */
final class LoopbackUpstream implements AutoCloseable {
  private final HttpServer server;
  private final AtomicLong requests;

  private LoopbackUpstream(HttpServer server, AtomicLong requests) {
    this.server = server;
    this.requests = requests;
  }

  static LoopbackUpstream start(Vertx vertx) {
    AtomicLong requests = new AtomicLong();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> {
          requests.incrementAndGet();
          if (request.path().contains("/hang/")) {
            request.handler(chunk -> { });
            return;
          }
          request.handler(chunk -> { }).endHandler(end -> request.response().putHeader("content-type", "text/plain").end("ok\n"));
        });
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the upstream did not start", e);
    }
    return new LoopbackUpstream(server, requests);
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  int port() {
    return server.actualPort();
  }

  /** Requests received so far (their heads). */
  long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
