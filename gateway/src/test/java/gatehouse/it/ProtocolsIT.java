package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP/2, WebSocket, slow clients and concurrency, end to end. */
class ProtocolsIT {
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("limits: {header_read_timeout: 500ms}", "");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }


  @Test
  void aWebSocketUpgradePassesOnlyAfterThePolicyAdmitsIt() {
    gw.upstream.replyWith(Reply.webSocketEcho());
    WebSocketClient client = gw.vertx.createWebSocketClient();
    try {
      WebSocketConnectOptions anonymous = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/ws");
      Throwable refused = await(client.connect(anonymous).map(ws -> (Throwable) null).recover(Future::succeededFuture));
      assertTrue(refused instanceof UpgradeRejectedException, String.valueOf(refused));
      assertEquals(401, ((UpgradeRejectedException) refused).getStatus());

      String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
      WebSocketConnectOptions admitted = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/ws")
          .addHeader("Authorization", "Bearer " + token);
      String echoed = await(client.connect(admitted).compose(ws -> {
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        ws.textMessageHandler(reply::tryComplete);
        return ws.writeTextMessage("hello through the gateway").compose(v -> reply.future()).eventually(() -> ws.close());
      }));
      assertEquals("hello through the gateway", echoed);
      assertEquals(java.util.Optional.of("alice"), gw.upstream.lastRequest().header("X-User-Id"));
    } finally {
      await(client.close());
    }
  }

  /**
   * Issue 17, section 4: an upgrade the upstream declines with 200 once left its pooled connection
   * mid-request, and the next request put on it, from any client, waited for the upstream's
   * timeout and got 504 (here the third upgrade already did). More of them than the pools hold (64
   * per event loop, two loops), each from its own client on a public route, then one plain
   * request: every one is answered, the last at once.
   */
  @Test
  void declinedWebSocketUpgradesNeverHoldAnUpstreamConnection() throws Exception {
    gw.upstream.replyWith(Reply.status(200).body("no upgrade here"));
    for (int i = 0; i < 2 * 64 + 2; i++) {
      RawHttp.Response declined = RawHttp.exchange(gw.port(), "GET /api/public/ws/" + i + " HTTP/1.1", "Host: 127.0.0.1",
          "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
      assertEquals(200, declined.status(), "upgrade " + i + ": " + declined.text());
    }
    gw.upstream.replyWith(Reply.echo());

    long started = System.nanoTime();
    RawHttp.Response plain = RawHttp.get(gw.port(), "/api/public/after");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertEquals(200, plain.status(), plain.text());
    assertTrue(millis < 1000, "answered after " + millis + " ms");
  }

  @Test
  void aWebSocketOfferingCompressionReachesTheUpstreamAndEchoesIntact() {
    gw.upstream.replyWith(Reply.webSocketEcho());
    // The client offers permessage-deflate; the gateway splices bytes, so only the upstream may
    // accept it. A gateway that accepted it itself would inflate frames the upstream never deflated.
    WebSocketClient client = gw.vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setTryUsePerMessageCompression(true).setTryUsePerFrameCompression(true));
    try {
      String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
      WebSocketConnectOptions admitted = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/ws")
          .addHeader("Authorization", "Bearer " + token);
      String message = "hello, compressed? ".repeat(200);
      String echoed = await(client.connect(admitted).compose(ws -> {
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        ws.textMessageHandler(reply::tryComplete);
        ws.exceptionHandler(reply::tryFail);
        ws.closeHandler(v -> reply.tryFail("closed before the echo"));
        return ws.writeTextMessage(message).compose(v -> reply.future()).eventually(() -> ws.close());
      }));
      assertEquals(message, echoed);
      assertTrue(gw.upstream.lastRequest().header("Sec-WebSocket-Extensions").isPresent(),
          "the client's offer reached the upstream");
    } finally {
      await(client.close());
    }
  }

  @Test
  void aClientThatNeverFinishesItsRequestHeadLosesTheConnection() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", gw.port()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 408 "), "the gateway answers 408, then closes the connection after header_read_timeout: " + reply);
    }
  }

  /** header_read_timeout 300 ms, idle_timeout 700 ms: a later head is due 1 s after a response. */
  private static final String SHORT_HEAD_LIMITS = "limits: {header_read_timeout: 300ms, idle_timeout: 700ms}";

  /**
   * After a first request, a client that sends the next head a byte at a time is never idle; it
   * must still finish that head within idle_timeout + header_read_timeout of the last response.
   */
  @Test
  void aKeepAliveClientTricklingItsNextHeadLosesTheConnection() throws Exception {
    try (GatewayHarness slow = GatewayHarness.start(SHORT_HEAD_LIMITS, "");
        RawHttp http = new RawHttp(slow.port())) {
      slow.upstream.replyWith(Reply.echo());
      http.send("GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertEquals(200, http.read(true).status(), "the first request is served");

      http.send("GET /api/public/y HTTP/1.1\r\nX-Slow: ");
      long start = System.nanoTime();
      boolean closed = false;
      while (!closed && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
        try {
          http.send("a");   // one byte every 200 ms: more often than idle_timeout
          Thread.sleep(200);
        } catch (IOException e) {
          closed = true;   // a write after the gateway closed: reset, then broken pipe
        }
      }
      assertTrue(closed, "a head trickled for 10 s kept its connection");
      try {
        assertEquals(408, http.read(true).status());
        assertTrue(http.closedByServer());
      } catch (IOException reset) {
        // The 408 came before the close, but the reset that the client's later bytes drew may
        // discard it before it is read.
      }
    }
  }

  /**
   * The head deadline waits while a response is under way, and a keep-alive client that pauses
   * for less than idle_timeout and then sends its head at once is served.
   */
  @Test
  void theNextHeadDeadlineCutsNeitherASlowResponseNorAPromptKeepAliveClient() throws Exception {
    try (GatewayHarness slow = GatewayHarness.start(SHORT_HEAD_LIMITS, "");
        RawHttp http = new RawHttp(slow.port())) {
      slow.upstream.replyWith(Reply.echo().afterDelay(Duration.ofMillis(550)));
      http.send("GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertEquals(200, http.read(true).status(), "a response slower than header_read_timeout (idle_timeout bounds it too)");

      slow.upstream.replyWith(Reply.echo());
      Thread.sleep(400);   // a pause shorter than idle_timeout, on the test's thread
      http.send("GET /api/public/y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertEquals(200, http.read(true).status(), "the same connection, after the pause");
    }
  }

  @Test
  void aRefusedClientThatNeverFinishesItsBodyLosesTheConnectionAfterHeaderReadTimeout() throws Exception {
    try (RawHttp http = new RawHttp(gw.port())) {
      http.send("POST /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(100));
      assertEquals(401, http.read(true).status());
      // The end of the stream once header_read_timeout has passed; a read timeout fails the test.
      assertTrue(http.closedByServer());
    }
  }

  @Test
  void concurrentRequestsNeverSeeAnotherRequestsIdentity() {
    gw.upstream.replyWith(Reply.echo());
    HttpClient client = gw.vertx.createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(50));
    try {
      List<Future<Boolean>> all = new ArrayList<>();
      java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
      int n = 400;
      for (int i = 0; i < n; i++) {
        String user = "user-" + i;
        String token = gw.token(user, Map.of("role", "user"));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gw.port())
            .setURI("/api/who/" + user).addHeader("Authorization", "Bearer " + token);
        all.add(client.request(options).compose(r -> r.send().compose(resp -> resp.body()))
            .map(b -> {
              answered.incrementAndGet();
              return new JsonObject(b).getString("target").endsWith(user);
            }));
      }
      try {
        await(Future.all(all));
      } catch (AssertionError e) {
        throw new AssertionError("answered " + answered.get() + " of " + n + "; upstream saw " + gw.upstream.requests().size(), e);
      }
      all.forEach(f -> assertTrue(f.result()));
      long mismatched = gw.upstream.requests().stream()
          .filter(r -> r.target().startsWith("/api/who/"))
          .filter(r -> !r.target().equals("/api/who/" + r.header("X-User-Id").orElse("?")))
          .count();
      assertEquals(0, mismatched);
    } finally {
      await(client.close());
    }
  }

  @Test
  void aLargeUploadAndDownloadStreamThroughTheWholeGatewayIntact() {
    long size = 64L * 1024 * 1024;
    gw.upstream.replyWith(Reply.echo());
    HttpClient client = gw.vertx.createHttpClient();
    try {
      gatehouse.testing.UpstreamRecorder.GeneratedBody upload = gatehouse.testing.UpstreamRecorder.GeneratedBody.ofSize(size);
      RequestOptions put = new RequestOptions().setMethod(HttpMethod.PUT).setHost("127.0.0.1").setPort(gw.port())
          .setURI("/big/upload").putHeader("Content-Length", Long.toString(size));
      JsonObject echoed = await(client.request(put).compose(req -> {
        Future<Buffer> body = req.response().compose(r -> r.body());
        return upload.writeTo(req).compose(sha -> req.end()).compose(v -> body);
      }).map(b -> new JsonObject(b)));
      assertEquals(size, echoed.getLong("bodyBytes"));
      assertEquals(upload.sha256(), echoed.getString("bodySha256"));

      gw.upstream.replyWith(Reply.generated(size));
      gatehouse.testing.UpstreamRecorder.Sha256 received = new gatehouse.testing.UpstreamRecorder.Sha256();
      RequestOptions get = new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/big/download");
      await(client.request(get).compose(req -> req.send().compose(r -> {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        r.handler(received::update);
        r.endHandler(v -> done.complete());
        r.exceptionHandler(done::tryFail);
        return done.future();
      })));
      assertEquals(size, received.bytes());
      assertEquals(gatehouse.testing.UpstreamRecorder.GeneratedBody.ofSize(size).sha256(), received.hex());
    } finally {
      await(client.close());
    }
  }
}
