package gatehouse.proxy;

import static gatehouse.proxy.TestGateway.UPSTREAM;
import static gatehouse.proxy.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.pipeline.Rejection;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Forwarding behaviour end to end: bodies, limits, upstream failures, WebSocket, HTTP/2 inbound. */
class UpstreamsTest {

  private static Vertx vertx;
  private static HttpClientAgent client;
  private UpstreamRecorder upstream;
  /** The upstream of {@link #uploadingToAnEarlyAnswer()}, when a test starts it. */
  private HttpServer early;
  private TestGateway gateway;

  record Got(int status, MultiMap headers, Buffer body) {
    String text() {
      return body.toString();
    }
  }

  @BeforeAll
  static void startVertx() {
    vertx = TestVertx.create();
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
  }

  @AfterAll
  static void stopVertx() {
    await(client.close());
    await(vertx.close());
  }

  @BeforeEach
  void startUpstream() {
    upstream = UpstreamRecorder.start(vertx);
  }

  @AfterEach
  void stopServers() {
    if (gateway != null) {
      gateway.close();
    }
    if (early != null) {
      await(early.close());
    }
    upstream.close();
  }

  private static ProxyRequest plan(HttpServerRequest in, long maxBodyBytes, Optional<Duration> timeout, boolean webSocket) {
    return new ProxyRequest(
        UPSTREAM, in.uri(), h -> h.set("X-User-Id", "alice"), timeout, maxBodyBytes, webSocket);
  }

  private TestGateway start(UpstreamConfig config, Function<HttpServerRequest, ProxyRequest> plan) {
    gateway = TestGateway.start(vertx, config, new ForwardingConfig(List.of()), plan);
    return gateway;
  }

  private TestGateway start(Function<HttpServerRequest, ProxyRequest> plan) {
    return start(TestGateway.upstream(upstream.url()), plan);
  }

  private Got send(HttpMethod method, String uri, Buffer body) {
    return await(
        client
            .request(new RequestOptions().setMethod(method).setPort(gateway.port()).setURI(uri))
            .compose(req -> (body == null ? req.send() : req.send(body)).compose(UpstreamsTest::read)));
  }

  /**
   * Reads the body in the same callback that got the response: a handler attached a step later can
   * miss chunks the connection already delivered.
   */
  private static Future<Got> read(HttpClientResponse resp) {
    return resp.body().map(b -> new Got(resp.statusCode(), resp.headers(), b));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aBodyWithinTheLimitIsStreamedIntactAndCounted() {
    start(in -> plan(in, 1 << 20, Optional.empty(), false));
    Buffer body = Buffer.buffer(new byte[300_000]).setInt(0, 42);

    Got got = send(HttpMethod.POST, "/upload", body);

    assertEquals(200, got.status());
    Recorded received = upstream.lastRequest();
    assertEquals(300_000, received.bodyBytes());
    assertEquals(HeaderForwardingTest.sha256(body.getBytes()), received.bodySha256());
    assertEquals(List.of("300000"), received.headers("Content-Length"));
    assertEquals(List.of("alice"), received.headers("X-User-Id"));
    assertEquals(new Proxied.Responded(200, 300_000, got.body().length()), gateway.outcome(0));
  }

  @Test
  void sequentialRequestsReuseOnePooledUpstreamConnection() {
    start(TestGateway::plain);

    for (int i = 0; i < 5; i++) {
      assertEquals(200, send(HttpMethod.GET, "/" + i, null).status());
    }

    assertEquals(1, upstream.requests().stream().mapToInt(Recorded::peerPort).distinct().count());
  }

  @Test
  void anUpstreamBreakingMidBodyResetsTheHttp2Stream() {
    upstream.replyWith(Reply.closeAfter(10_000));
    start(TestGateway::plain);
    HttpClientAgent h2 =
        vertx.createHttpClient(
            new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      Future<Buffer> body =
          h2.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/")
              .compose(req -> req.send().compose(resp -> resp.body()));

      ExecutionException e =
          assertThrows(ExecutionException.class, () -> body.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(StreamResetException.class, e.getCause());
      assertEquals(new Proxied.Aborted("upstream_reset"), gateway.outcome(0));
    } finally {
      await(h2.close());
    }
  }

  @Test
  void aConnectionRefusedAnswers502UpstreamUnreachableQuickly() throws Exception {
    start(TestGateway.upstream("http://127.0.0.1:" + freePort()), TestGateway::plain);
    long started = System.nanoTime();

    Got got = send(HttpMethod.GET, "/", null);

    assertEquals(502, got.status());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 1500);
    assertEquals(
        new Proxied.Failed(new Rejection.BadGateway("upstream_unreachable", "upstream 'orders' is unreachable")),
        gateway.outcome(0));
  }

  @Test
  void anUpstreamSlowerThanTheTimeoutAnswers504() {
    upstream.replyWith(Reply.echo().afterDelay(Duration.ofSeconds(3)));
    start(in -> plan(in, 0, Optional.of(Duration.ofMillis(200)), false));
    long started = System.nanoTime();

    Got got = send(HttpMethod.GET, "/slow", null);

    long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertEquals(504, got.status());
    assertTrue(elapsed >= 200 && elapsed < 2000, "answered after " + elapsed + " ms");
    assertEquals(new Proxied.Failed(new Rejection.GatewayTimeout(false)), gateway.outcome(0));
  }

  @Test
  void theUpstreamTimeoutAppliesWhenTheRouteSetsNone() {
    upstream.replyWith(Reply.echo().afterDelay(Duration.ofSeconds(3)));
    start(
        new UpstreamConfig(UPSTREAM, URI.create(upstream.url()), Duration.ofSeconds(1), Duration.ofMillis(150), 4),
        TestGateway::plain);

    assertEquals(504, send(HttpMethod.GET, "/slow", null).status());
  }

  @Test
  void waitingLongerThanTheConnectTimeoutForAPooledConnectionAnswers504() {
    upstream.replyWith(Reply.echo().afterDelay(Duration.ofMillis(1500)));
    start(
        new UpstreamConfig(UPSTREAM, URI.create(upstream.url()), Duration.ofMillis(200), Duration.ofSeconds(5), 1),
        TestGateway::plain);
    Future<Got> first =
        client
            .request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/first")
            .compose(req -> req.send().compose(UpstreamsTest::read));
    upstream.awaitRequests(1);

    Got second = send(HttpMethod.GET, "/second", null);

    assertEquals(504, second.status());
    assertEquals(200, await(first).status());
  }

  @Test
  void anUpstreamClosingBeforeHeadersAnswers502UpstreamReset() {
    upstream.replyWith(Reply.closeConnection());
    start(TestGateway::plain);

    Got got = send(HttpMethod.GET, "/", null);

    assertEquals(502, got.status());
    Proxied.Failed failed = assertInstanceOf(Proxied.Failed.class, gateway.outcome(0));
    assertEquals("upstream_reset", ((Rejection.BadGateway) failed.rejection()).code());
  }

  @Test
  void aMalformedResponseAnswers502UpstreamReset() {
    NetServer garbage =
        vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
            .connectHandler(socket -> socket.handler(b -> socket.write("HTTP/1.1 two hundred\r\n\0\0\r\n\r\n")));
    await(garbage.listen());
    try {
      start(TestGateway.upstream("http://127.0.0.1:" + garbage.actualPort()), TestGateway::plain);

      Got got = send(HttpMethod.GET, "/", null);

      assertEquals(502, got.status());
      Proxied.Failed failed = assertInstanceOf(Proxied.Failed.class, gateway.outcome(0));
      assertEquals("upstream_reset", ((Rejection.BadGateway) failed.rejection()).code());
    } finally {
      await(garbage.close());
    }
  }

  @Test
  void anUpstreamBreakingMidBodyCutsTheClientConnection() throws Exception {
    upstream.replyWith(Reply.closeAfter(10_000));
    start(TestGateway::plain);

    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response response = http.read(true);
      assertEquals(List.of("20000"), response.headers("Content-Length"));
      assertEquals(10_000, response.body().length, "the body stops where the upstream broke");
      assertTrue(http.closedByServer());
    }
    assertEquals(new Proxied.Aborted("upstream_reset"), gateway.outcome(0));
  }

  @Test
  void aDeclaredBodyOverTheLimitAnswers413WithoutContactingTheUpstream() throws Exception {
    start(in -> plan(in, 1000, Optional.empty(), false));

    // A raw client: a library client may drop a response that arrives while it is still sending.
    RawHttp.Response response =
        RawHttp.exchange(gateway.port(), "POST /upload HTTP/1.1", "Host: a", "Content-Length: 2000");

    assertEquals(413, response.status());
    assertEquals(List.of("close"), response.headers("Connection"), "the unread body ends the connection");
    assertEquals(new Proxied.Failed(new Rejection.PayloadTooLarge(1000)), gateway.outcome(0));
    assertEquals(List.of(), upstream.requests());
  }

  @Test
  void aStreamedChunkedBodyOverTheLimitAnswers413AndCutsTheUpstreamRequest() throws Exception {
    gateway = TestGateway.start(vertx, TestGateway.upstream(upstream.url()), new ForwardingConfig(List.of()),
        TestGateway.STREAMING, in -> plan(in, 1000, Optional.empty(), false));

    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
      http.send("258\r\n" + "x".repeat(600) + "\r\n");
      http.send("258\r\n" + "x".repeat(600) + "\r\n");
      RawHttp.Response response = http.read(true);

      assertEquals(413, response.status());
      assertEquals(List.of("close"), response.headers("Connection"));
    }
    assertEquals(new Proxied.Failed(new Rejection.PayloadTooLarge(1000)), gateway.outcome(0));
    Recorded received = upstream.awaitRequests(1).get(0);
    assertFalse(received.bodyComplete());
    assertTrue(received.bodyBytes() <= 1000, received.bodyBytes() + " bytes reached the upstream");
  }

  @Test
  void aClientGoingAwayMidUploadCutsTheUpstreamRequestAndFreesItsConnection() throws Exception {
    start(
        new UpstreamConfig(UPSTREAM, URI.create(upstream.url()), Duration.ofMillis(500), Duration.ofSeconds(5), 1),
        TestGateway::plain);

    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
      // Wait until the upstream request carries data, so the pooled connection is in use.
      gatewayForwardedSomeBody();
    }

    assertEquals(new Proxied.Aborted("client_closed"), gateway.outcome(0));
    assertFalse(upstream.awaitRequests(1).get(0).bodyComplete());
    assertEquals(200, send(HttpMethod.GET, "/after", null).status(), "the only pooled connection is free again");
  }

  /**
   * A gateway in front of an upstream that answers 200 "early" as soon as a request's head
   * arrives, and a client that has sent the head of a 100,000-byte upload and its first 1,000 bytes.
   */
  private RawHttp uploadingToAnEarlyAnswer() throws Exception {
    early = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.response().end("early"))
        .listen());
    start(TestGateway.upstream("http://127.0.0.1:" + early.actualPort()), TestGateway::plain);
    RawHttp http = new RawHttp(gateway.port());
    http.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
    return http;
  }

  @Test
  void anUpstreamAnsweringBeforeTheBodyEndsClosesTheClientConnectionOnceTheBodyIsRead() throws Exception {
    try (RawHttp http = uploadingToAnEarlyAnswer()) {
      RawHttp.Response response = http.read(true);
      assertEquals(200, response.status());
      assertEquals("early", response.text());
      assertEquals(List.of("close"), response.headers("Connection"));

      http.send("x".repeat(99_000));
      assertTrue(http.closedByServer(), "the reply said close: the connection ends once the body is read");
    }
    assertInstanceOf(Proxied.Responded.class, gateway.outcome(0));
  }

  @Test
  void aBodyThatNeverEndsAfterAnEarlyAnswerLosesItsConnectionAfterTheDrainLimit() throws Exception {
    try (RawHttp http = uploadingToAnEarlyAnswer()) {
      assertEquals(200, http.read(true).status());
      long readAt = System.nanoTime();
      assertTrue(http.closedByServer(), "closed although the client never finished its body");
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readAt);
      assertTrue(waitedMillis >= TestGateway.DRAIN_LIMIT.toMillis() / 2,
          "the client had its drain limit to finish, not an immediate reset (closed after " + waitedMillis + " ms)");
    }
  }

  /** Polls with a Vert.x timer, not a sleep, until the recorder saw bytes on the open request. */
  private void gatewayForwardedSomeBody() throws Exception {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    long timer = vertx.setPeriodic(10, id -> {
      if (upstream.openRequestBodyBytes() > 0) {
        seen.complete(null);
      }
    });
    try {
      seen.get(10, TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void expect100ContinueIsAnsweredByTheGatewayAndNotForwarded() throws Exception {
    start(TestGateway::plain);

    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertEquals(100, http.read(false).status());
      http.send("hello");
      assertEquals(200, http.read(true).status());
    }
    Recorded received = upstream.lastRequest();
    assertEquals(List.of(), received.headers("Expect"));
    assertEquals(5, received.bodyBytes());
  }

  @Test
  void anHttp2RequestIsForwardedAsHttp11WithItsAuthorityAsForwardedHost() {
    start(in -> plan(in, 1 << 20, Optional.empty(), false));
    HttpClientAgent h2 =
        vertx.createHttpClient(
            new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      Buffer body = Buffer.buffer(new byte[70_000]).setLong(100, 7L);
      Got got =
          await(
              h2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                      .setURI("/h2?x=1").putHeader("te", "trailers").putHeader("cookie", "a=1").addHeader("cookie", "b=2"))
                  .compose(req -> {
                    assertEquals(HttpVersion.HTTP_2, req.version());
                    return req.send(body).compose(UpstreamsTest::read);
                  }));

      assertEquals(200, got.status());
      Recorded received = upstream.lastRequest();
      assertEquals(HttpVersion.HTTP_1_1, received.version());
      assertEquals("/h2?x=1", received.target());
      assertEquals(List.of("127.0.0.1:" + upstream.port()), received.headers("Host"));
      assertEquals(List.of("127.0.0.1:" + gateway.port()), received.headers("X-Forwarded-Host"));
      assertEquals(List.of(), received.headers("te"));
      assertEquals(List.of("a=1; b=2"), received.headers("Cookie"));
      assertEquals(HeaderForwardingTest.sha256(body.getBytes()), received.bodySha256());
    } finally {
      await(h2.close());
    }
  }

  @Test
  void anAdmittedWebSocketUpgradeIsSplicedToTheUpstream() {
    upstream.replyWith(Reply.webSocketEcho());
    start(in -> plan(in, 0, Optional.empty(), true));
    WebSocketClient ws = vertx.createWebSocketClient();
    try {
      CompletableFuture<String> echoed = new CompletableFuture<>();
      var socket =
          await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/chat")));
      socket.textMessageHandler(echoed::complete);
      socket.writeTextMessage("hello through the gateway");

      assertEquals("hello through the gateway", echoed.get(10, TimeUnit.SECONDS));
      Recorded upgrade = upstream.lastRequest();
      assertEquals("/chat", upgrade.target());
      assertEquals(List.of("websocket"), upgrade.headers("Upgrade"));
      assertEquals(List.of("alice"), upgrade.headers("X-User-Id"));
      assertEquals(List.of("127.0.0.1"), upgrade.headers("X-Forwarded-For"));

      await(socket.close());
      Proxied.Responded done = assertInstanceOf(Proxied.Responded.class, gateway.outcome(0));
      assertEquals(101, done.status());
      assertTrue(done.requestBytes() > 0 && done.responseBytes() > 0, done.toString());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      await(ws.close());
    }
  }

  @Test
  void aWebSocketUpgradeRefusedByTheUpstreamIsRelayedAsAResponse() throws Exception {
    upstream.replyWith(Reply.status(403).body("not you"));
    start(in -> plan(in, 0, Optional.empty(), true));

    RawHttp.Response response =
        RawHttp.exchange(
            gateway.port(),
            "GET /chat HTTP/1.1",
            "Host: a",
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");

    assertEquals(403, response.status());
    assertEquals("not you", response.text());
    assertEquals(List.of("websocket"), upstream.lastRequest().headers("Upgrade"));
  }

  @Test
  void anUnknownUpstreamNameIsABug() {
    Upstreams upstreams = new Upstreams(vertx, Map.of(UPSTREAM, TestGateway.upstream(upstream.url())), new ForwardingConfig(List.of()), TestGateway.DRAIN_LIMIT, TestGateway.BODIES);
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> upstreams.forward(null, new ProxyRequest("billing", "/", h -> {}, Optional.empty(), 0, false)));
      assertEquals("unknown upstream 'billing' (configured: [orders])", e.getMessage());
    } finally {
      await(upstreams.close());
    }
  }

  @Test
  void anUpstreamOtherThanHttpOrHttpsIsRefusedAtConstruction() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Upstreams(vertx, Map.of(UPSTREAM, TestGateway.upstream("ftp://127.0.0.1:1")), new ForwardingConfig(List.of()), TestGateway.DRAIN_LIMIT, TestGateway.BODIES));
    assertEquals("upstream 'orders': only http:// and https:// urls are supported, got scheme 'ftp'", e.getMessage());
  }
}
