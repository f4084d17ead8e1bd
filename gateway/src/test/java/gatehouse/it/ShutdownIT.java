package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, section 2: {@code gatehouse run} stopped by SIGTERM, as a child process stopped by its
 * PID, with requests in flight at each phase: while the listener still accepts ({@code
 * shutdown.delay}), once it has stopped, and past {@code shutdown.timeout}. {@code slow} answers
 * after a delay each test sets; {@code fast} at once.
 */
class ShutdownIT {
  private Vertx vertx;
  private UpstreamRecorder slow;
  private UpstreamRecorder fast;
  private final List<Process> children = new ArrayList<>();
  @TempDir Path dir;

  @BeforeEach
  void upstreams() {
    vertx = TestVertx.create();
    slow = UpstreamRecorder.start(vertx);
    fast = UpstreamRecorder.start(vertx);
    fast.replyWith(Reply.status(200).body("fast"));
  }

  @AfterEach
  void stop() {
    children.forEach(p -> {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    slow.close();
    fast.close();
    await(vertx.close());
  }

  @Test
  void readyTurns503AtOnceNewConnectionsAreTakenOnlyDuringTheDelayAndTheSlowRequestCompletes() throws Exception {
    slow.replyWith(Reply.status(200).body("slow done").afterDelay(Duration.ofSeconds(4)));
    Child gw = start("shutdown: {delay: 2s, timeout: 10s}");
    HttpClient keptAlive = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    assertEquals(null, get(keptAlive, gw.port, "/fast/before").getHeader("Connection"), "kept alive before the signal");
    Future<Reply200> slowRequest = body(vertx.createHttpClient(), gw.port, "/slow/one");
    slow.awaitRequests(1);

    long signalled = System.nanoTime();
    gw.process.destroy();
    assertEquals(503, readyStatusWithin(gw, Duration.ofSeconds(1)), "/ready turns 503 at once");
    assertTrue(System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(1));

    HttpClient fresh = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    HttpClientResponse during = get(fresh, gw.port, "/fast/during");
    assertEquals(200, during.statusCode(), "a new connection during shutdown.delay is served");
    assertEquals("close", during.getHeader("Connection"), "and asked to close");
    assertEquals("close", get(keptAlive, gw.port, "/fast/kept").getHeader("Connection"),
        "a kept-alive connection's next response says Connection: close");

    sleepUntil(signalled + TimeUnit.MILLISECONDS.toNanos(2600));
    assertTrue(gw.process.isAlive(), "still draining the slow request");
    assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), gw.port).close(),
        "refused once shutdown.delay has passed");

    Reply200 done = await(slowRequest);
    assertEquals(200, done.status());
    assertEquals("slow done", done.body(), "the request in flight completes");
    assertEquals(0, gw.exitWithin(Duration.ofSeconds(10)), "exit 0 when every request finished\n" + gw.log());
    String log = gw.log();
    assertTrue(log.contains("shutdown: draining: /ready answers 503; new connections are accepted for 2s more, then requests in flight have 10s to finish"), log);
    assertTrue(log.contains("shutdown: stopped accepting connections; 1 requests in flight"), log);
    assertTrue(log.contains("shutdown: drained: 1 requests finished, 0 cut"), log);
    assertTrue(Files.readString(dir.resolve("access.log")).contains("/slow/one"), "the access log was flushed before the exit");
  }

  @Test
  void aRequestLongerThanTheTimeoutIsCutAndTheExitStatusSaysSo() throws Exception {
    slow.replyWith(Reply.status(200).body("too late").afterDelay(Duration.ofSeconds(60)));
    Child gw = start("shutdown: {delay: 0s, timeout: 1s}");
    Future<Reply200> slowRequest = body(vertx.createHttpClient(), gw.port, "/slow/long");
    slow.awaitRequests(1);
    gw.process.destroy();
    assertEquals(3, gw.exitWithin(Duration.ofSeconds(10)), "exit 3: the timeout cut a request\n" + gw.log());
    assertTrue(slowRequest.toCompletionStage().toCompletableFuture().handle((r, e) -> e != null).get(5, TimeUnit.SECONDS),
        "the cut request fails at its client");
    assertTrue(gw.log().contains("shutdown: drained: 0 requests finished, 1 cut (still running after shutdown.timeout, 1s)"), gw.log());
  }

  @Test
  void aWebSocketGetsCloseFrameGoingAwayAndTheUpstreamToo() throws Exception {
    slow.replyWith(Reply.webSocketEcho());
    Child gw = start("shutdown: {delay: 0s, timeout: 10s}");
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port).setURI("/slow/ws")));
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    Promise<String> echoed = Promise.promise();
    ws.textMessageHandler(echoed::tryComplete);
    await(ws.writeTextMessage("before the signal"));
    assertEquals("before the signal", await(echoed.future()));

    gw.process.destroy();
    assertEquals((short) 1001, await(closed.future()), "close frame 1001 Going Away");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (slow.webSocketCloseCodes().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(List.of((short) 1001), slow.webSocketCloseCodes(), "the upstream got a close frame 1001, masked as a client's must be");
    assertEquals(0, gw.exitWithin(Duration.ofSeconds(10)), gw.log());
    assertTrue(gw.log().contains("shutdown: drained: 1 requests finished, 0 cut"), gw.log());
    await(client.close());
  }

  @Test
  void anHttp2ConnectionGetsGoAwayAndItsStreamInFlightCompletes() throws Exception {
    slow.replyWith(Reply.status(200).body("h2 done").afterDelay(Duration.ofSeconds(2)));
    Child gw = start("shutdown: {delay: 0s, timeout: 10s}");
    Promise<GoAway> goAway = Promise.promise();
    HttpClient h2 = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
        .withConnectHandler(c -> c.goAwayHandler(goAway::tryComplete))
        .build();
    Future<Reply200> inFlight = body(h2, gw.port, "/slow/h2");
    slow.awaitRequests(1);
    gw.process.destroy();
    GoAway received = await(goAway.future());
    assertEquals(0, received.getErrorCode(), "GOAWAY with NO_ERROR");
    Reply200 done = await(inFlight);
    assertEquals(200, done.status());
    assertEquals("h2 done", done.body());
    assertEquals(0, gw.exitWithin(Duration.ofSeconds(10)), gw.log());
  }

  @Test
  void aSecondSigtermExitsAtOnce() throws Exception {
    slow.replyWith(Reply.status(200).afterDelay(Duration.ofSeconds(60)));
    Child gw = start("shutdown: {delay: 30s, timeout: 30s}");
    body(vertx.createHttpClient(), gw.port, "/slow/held");
    slow.awaitRequests(1);
    gw.process.destroy();
    assertEquals(503, readyStatusWithin(gw, Duration.ofSeconds(1)), "draining");
    assertTrue(gw.process.isAlive());
    long second = System.nanoTime();
    gw.process.destroy();
    assertEquals(143, gw.exitWithin(Duration.ofSeconds(5)), "128 + SIGTERM\n" + gw.log());
    assertTrue(System.nanoTime() - second < TimeUnit.SECONDS.toNanos(4), "at once");
    assertTrue(gw.log().contains("SIGTERM again: exiting at once, requests in flight are cut"), gw.log());
  }

  @Test
  void anIdleGatewayStopsAtOnceWithTheDefaults() throws Exception {
    Child gw = start("");
    assertEquals(200, get(vertx.createHttpClient(), gw.port, "/fast/x").statusCode());
    long signalled = System.nanoTime();
    gw.process.destroy();
    assertEquals(0, gw.exitWithin(Duration.ofSeconds(10)), gw.log());
    assertTrue(System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(5), "no delay by default");
    assertFalse(gw.log().contains(" cut ("), gw.log());
  }

  record Reply200(int status, String body) {}

  /** The gateway as {@code gatehouse run} in a child process, the config's {@code shutdown} section being {@code shutdown}. */
  private record Child(Process process, int port, int adminPort, Path logFile) {
    int exitWithin(Duration d) throws InterruptedException {
      assertTrue(process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS), "exited within " + d + "\n" + log());
      return process.exitValue();
    }

    String log() {
      return ChildProcesses.read(logFile);
    }
  }

  private Child start(String shutdown) throws Exception {
    int port = freePort();
    int admin = freePort();
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: " + port + ", h2c: true}",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "upstreams:",
        "  slow: {url: \"" + slow.url() + "\"}",
        "  fast: {url: \"" + fast.url() + "\"}",
        "routes:",
        "  - {id: slow, match: {prefix: /slow/}, upstream: slow, policy: public, timeout: 2m}",
        "  - {id: fast, match: {prefix: /fast/}, upstream: fast, policy: public}",
        "access_log: {target: access.log}",
        shutdown,
        "");
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, yaml);
    Path log = dir.resolve("gateway.log");
    Process process = ChildProcesses.startGateway(config, log, List.of(), java.util.Map.of());
    children.add(process);
    Child child = new Child(process, port, admin, log);
    ChildProcesses.awaitListening(process, log, Duration.ofSeconds(30), port, admin);
    return child;
  }

  private int readyStatusWithin(Child gw, Duration d) throws Exception {
    HttpClient admin = vertx.createHttpClient();
    long deadline = System.nanoTime() + d.toNanos();
    int status;
    do {
      status = get(admin, gw.adminPort, "/ready").statusCode();
      if (status == 503) break;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return status;
  }

  private static HttpClientResponse get(HttpClient client, int port, String uri) {
    return await(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri))
        .compose(r -> r.send()).compose(r -> r.body().map(b -> r)));
  }

  private static Future<Reply200> body(HttpClient client, int port, String uri) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri))
        .compose(r -> r.send()).compose(r -> r.body().map(b -> new Reply200(r.statusCode(), b.toString())));
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) TimeUnit.NANOSECONDS.sleep(left);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
