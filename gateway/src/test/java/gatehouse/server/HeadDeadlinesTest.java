package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadDeadlines} on a real Vert.x server, with a clock the test moves and sweeps it runs
 * itself: header_read_timeout 1 s, idle_timeout 1 s, so a later head is due 2 s after a response.
 */
class HeadDeadlinesTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private Vertx vertx;
  private HttpServer server;
  private final AtomicLong now = new AtomicLong();
  private HeadDeadlines heads;
  /** The event loop of each connection, as it opens. */
  private final BlockingQueue<Context> opened = new LinkedBlockingQueue<>();
  private Context context;
  /** Requests to /held, whose responses the test ends. */
  private final BlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    vertx = TestVertx.create();
    heads = new HeadDeadlines(vertx, Duration.ofSeconds(1), Duration.ofSeconds(1), now::get, new RequestIds());
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        // As the gateway listens: without h2c, Vert.x reports a connection when it opens.
        .setHttp2ClearTextEnabled(false))
        .connectionHandler(c -> {
          heads.opened(c);
          opened.add(Vertx.currentContext());
        })
        .requestHandler(r -> {
          heads.arrived(r);
          if (r.path().equals("/held")) {
            held.add(r);
          } else {
            r.response().end("fast");
          }
        });
    server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Connects, sends {@code first}, and waits until the server has seen the connection. */
  private RawHttp connect(String first) throws Exception {
    RawHttp client = new RawHttp(server.actualPort());
    client.send(first);
    context = opened.poll(10, TimeUnit.SECONDS);
    if (context == null) throw new AssertionError("the server never saw the connection");
    return client;
  }

  /** Sweeps at {@code at} on the connection's event loop, as the periodic sweep would. */
  private void sweepAt(long at) throws Exception {
    now.set(at);
    CompletableFuture<Void> swept = new CompletableFuture<>();
    context.runOnContext(v -> {
      heads.sweep(at);
      swept.complete(null);
    });
    swept.get(10, TimeUnit.SECONDS);
  }

  private void end(HttpServerRequest request, String body) throws Exception {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    context.runOnContext(v -> request.response().end(body).onComplete(ar -> ended.complete(null)));
    ended.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionWithoutAFirstHeadIsClosedAfterHeaderReadTimeoutAndNotBefore() throws Exception {
    try (RawHttp client = connect("GET /fast HTTP/1.1\r\nX-Slow: ")) {
      sweepAt(SECOND - 1);
      client.send("a\r\nHost: x\r\n\r\n");
      assertEquals(200, client.read(true).status(), "a head finished just inside the limit is served");
    }
    now.set(5 * SECOND);
    try (RawHttp client = connect("GET /fast HTTP/1.1\r\nX-Slow: ")) {
      sweepAt(6 * SECOND + 1);
      assertEquals(408, client.read(true).status(), "a late head is answered before the close");
      assertTrue(client.closedByServer());
    }
  }

  @Test
  void theNextHeadIsDueIdlePlusHeaderReadAfterTheResponse() throws Exception {
    try (RawHttp client = connect("GET /held HTTP/1.1\r\nHost: x\r\n\r\n")) {
      HttpServerRequest request = held.poll(10, TimeUnit.SECONDS);
      sweepAt(100 * SECOND);
      end(request, "late");
      assertEquals("late", client.read(true).text(), "no deadline while the response is under way");

      sweepAt(102 * SECOND - 1);
      client.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, client.read(true).status(), "inside idle_timeout + header_read_timeout of the response");

      sweepAt(now.get() + 2 * SECOND + 1);
      assertEquals(408, client.read(true).status(), "no head for longer than that");
      assertTrue(client.closedByServer());
    }
  }

  @Test
  void aResponseUnderWayHasNoDeadlineWhenTheClockIsNegative() throws Exception {
    // System.nanoTime's origin is arbitrary: its values may be negative.
    now.set(-100 * SECOND);
    try (RawHttp client = connect("GET /held HTTP/1.1\r\nHost: x\r\n\r\n")) {
      HttpServerRequest request = held.poll(10, TimeUnit.SECONDS);
      sweepAt(-50 * SECOND);
      end(request, "late");
      assertEquals("late", client.read(true).text(), "no deadline while the response is under way");
    }
  }

  @Test
  void anEarlierResponseEndingAfterAPipelinedHeadArrivedSetsNoDeadline() throws Exception {
    try (RawHttp client = connect("GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /held HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertEquals("fast", client.read(true).text());
      HttpServerRequest second = held.poll(10, TimeUnit.SECONDS);

      sweepAt(100 * SECOND);
      end(second, "second");
      assertEquals("second", client.read(true).text(), "the pipelined request was not cut");
    }
  }
}
