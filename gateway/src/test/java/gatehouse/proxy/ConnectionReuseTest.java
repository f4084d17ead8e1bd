package gatehouse.proxy;

import static gatehouse.proxy.TestGateway.UPSTREAM;
import static gatehouse.testing.ScriptedUpstream.hangUp;
import static gatehouse.testing.ScriptedUpstream.deaf;
import static gatehouse.testing.ScriptedUpstream.echoTarget;
import static gatehouse.testing.ScriptedUpstream.pause;
import static gatehouse.testing.ScriptedUpstream.tunnel;
import static gatehouse.testing.ScriptedUpstream.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ForwardingConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.testing.RawHttp;
import gatehouse.testing.ScriptedUpstream;
import gatehouse.testing.ScriptedUpstream.Answer;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One client's exchange never affects another's through the upstream pool: an upstream connection
 * is reused only after an exchange that ended cleanly in HTTP/1.1 framing ({@link
 * Exchange#reusable}). Each ending runs from client A on a pool of one connection while client B's
 * plain GET waits for that pool; B must be answered with its own response, well within the
 * upstream's timeouts, and on a new connection wherever A's ending leaves the old one unusable.
 */
class ConnectionReuseTest {

  /** Far above what any ending takes; a request that waits for it has met a stuck connection. */
  private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(10);
  /** How long B may take: A's ending is over well within it. */
  private static final Duration PROMPT = Duration.ofSeconds(3);
  /** The route timeout of targets under {@code /slow}. */
  private static final Duration SLOW_ROUTE_TIMEOUT = Duration.ofMillis(300);

  private static final String UPGRADE_HEAD =
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

  private static Vertx vertx;
  private static ExecutorService clients;
  private ScriptedUpstream upstream;
  private TestGateway gateway;

  /** What must become of A's upstream connection. */
  enum Reuse { CLOSED, REUSED }

  /** What client A does on its own connection to the gateway; returns the status A got, or 0 for none. */
  interface ClientA {
    int run(RawHttp http, ScriptedUpstream upstream, String target) throws IOException;
  }

  /**
   * One way an exchange can end.
   *
   * @param answer what the upstream does for A's request
   * @param client what A does
   * @param status what A must get (0: A gets no complete response)
   * @param answerToB what the upstream does for B's request
   */
  record Ending(String name, Answer answer, ClientA client, int status, Reuse reuse, Answer answerToB) {
    Ending(String name, Answer answer, ClientA client, int status, Reuse reuse) {
      this(name, answer, client, status, reuse, Answer.echoTarget());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Ending> endings() {
    return List.of(
        new Ending("plain keep-alive GET", Answer.echoTarget(),
            (http, up, target) -> get(http, target, ""), 200, Reuse.REUSED),
        new Ending("client sends Connection: close (its own hop only)", Answer.echoTarget(),
            (http, up, target) -> get(http, target, "Connection: close\r\n"), 200, Reuse.REUSED),
        new Ending("POST with a body read whole, chunked response", Answer.afterBody(write(
                "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")),
            ConnectionReuseTest::upload, 201, Reuse.REUSED),
        new Ending("204 without a body", Answer.afterBody(write("HTTP/1.1 204 No Content\r\n\r\n")),
            (http, up, target) -> get(http, target, ""), 204, Reuse.REUSED),
        new Ending("304 with the representation's Content-Length", Answer.afterBody(write(
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n")),
            (http, up, target) -> get(http, target, ""), 304, Reuse.REUSED),
        new Ending("HTTP/1.0 response with keep-alive", Answer.afterBody(write(
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")),
            (http, up, target) -> get(http, target, ""), 200, Reuse.REUSED),
        new Ending("unsolicited 100 Continue before the final response", Answer.afterBody(
                write("HTTP/1.1 100 Continue\r\n\r\n"), pause(100), write(ok("final"))),
            (http, up, target) -> get(http, target, ""), 200, Reuse.REUSED),
        new Ending("upgrade declined with 200", Answer.afterBody(write(ok("declined"))),
            (http, up, target) -> get(http, target, UPGRADE_HEAD + "\r\n"), 200, Reuse.CLOSED),
        new Ending("upgrade declined with 426", Answer.afterBody(write(
                "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 4\r\n\r\nnope")),
            (http, up, target) -> get(http, target, UPGRADE_HEAD + "\r\n"), 426, Reuse.CLOSED),
        new Ending("upgrade accepted, tunnel used and closed", Answer.afterBody(
                write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
                tunnel()),
            ConnectionReuseTest::tunnelPing, 101, Reuse.CLOSED),
        new Ending("upstream says Connection: close and keeps the socket open", Answer.afterBody(write(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")),
            (http, up, target) -> get(http, target, ""), 200, Reuse.CLOSED),
        new Ending("upstream says Connection: keep-alive, close, reads no more and closes", Answer.afterBody(write(
                "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok"),
                deaf(), pause(300), hangUp()),
            (http, up, target) -> get(http, target, ""), 200, Reuse.CLOSED),
        new Ending("HTTP/1.0 response without keep-alive", Answer.afterBody(write(
                "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")),
            (http, up, target) -> get(http, target, ""), 200, Reuse.CLOSED),
        new Ending("upstream answers before the request body ends", Answer.atHead(write(ok("early"))),
            ConnectionReuseTest::uploadReadingEarlyAnswer, 200, Reuse.CLOSED),
        new Ending("client goes away mid-upload", Answer.echoTarget(),
            ConnectionReuseTest::uploadThenLeave, 0, Reuse.CLOSED),
        new Ending("client goes away mid-response", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(1000)), pause(20_000)),
            ConnectionReuseTest::leaveAfterHead, 0, Reuse.CLOSED),
        new Ending("interim 102 before the final response", Answer.afterBody(
                write("HTTP/1.1 102 Processing\r\n\r\n"), pause(200), write(ok("final"))),
            (http, up, target) -> get(http, target, ""), 502, Reuse.CLOSED),
        new Ending("101 to a request that did not ask to upgrade", Answer.afterBody(
                write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n"), tunnel()),
            (http, up, target) -> get(http, target, ""), 502, Reuse.CLOSED),
        new Ending("CONNECT answered 200 with a Content-Length to ignore", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), tunnel()),
            (http, up, target) -> {
              http.send("CONNECT " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
              return http.read(false).status();
            }, 200, Reuse.CLOSED),
        new Ending("early hints 103 before the final response", Answer.afterBody(
                write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"), pause(100), write(ok("final"))),
            (http, up, target) -> get(http, target, ""), 200, Reuse.REUSED),
        new Ending("HEAD answered with the body anyway, late", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\nContent-Length: 44\r\n\r\n"), pause(300),
                write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")),
            // B's answer comes after the stray bytes: on A's connection, B would read them as its response.
            ConnectionReuseTest::head, 200, Reuse.CLOSED, Answer.afterBody(pause(600), echoTarget())),
        new Ending("response without framing, read until close", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\n\r\nunframed"), pause(300), hangUp()),
            (http, up, target) -> get(http, target, ""), 200, Reuse.CLOSED),
        new Ending("Transfer-Encoding not ending in chunked, read until close", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nunframed"), pause(300), hangUp()),
            (http, up, target) -> get(http, target, ""), 200, Reuse.CLOSED),
        new Ending("both Content-Length and chunked (the client library refuses it)", Answer.afterBody(
                write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"),
                pause(100), write("2\r\nok\r\n0\r\n\r\n")),
            (http, up, target) -> get(http, target, ""), 502, Reuse.CLOSED),
        new Ending("upstream slower than the route timeout, answering late", Answer.afterBody(
                pause(800), write(ok("late"))),
            (http, up, target) -> get(http, target, ""), 504, Reuse.CLOSED));
  }

  @BeforeAll
  static void startVertx() {
    vertx = TestVertx.create();
    clients = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void stopVertx() {
    clients.shutdownNow();
    TestGateway.await(vertx.close());
  }

  @BeforeEach
  void startServers() {
    upstream = ScriptedUpstream.start(vertx);
  }

  @AfterEach
  void stopServers() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private void startGateway(int maxConnections) {
    // Room in the queue for every client thread: these tests are about reuse, not the queue's bound.
    UpstreamConfig config = new UpstreamConfig(UPSTREAM, URI.create(upstream.url()), UPSTREAM_TIMEOUT, UPSTREAM_TIMEOUT,
        maxConnections, gatehouse.config.UpstreamTlsConfig.defaults(), gatehouse.config.SignConfig.none(), 64,
        Optional.empty());
    gateway = TestGateway.start(vertx, config, new ForwardingConfig(List.of()), ConnectionReuseTest::plan);
  }

  /** WebSocket admitted; targets under {@code /slow} get a short route timeout. */
  private static ProxyRequest plan(HttpServerRequest in) {
    Optional<Duration> timeout = in.uri().startsWith("/slow") ? Optional.of(SLOW_ROUTE_TIMEOUT) : Optional.empty();
    return new ProxyRequest(UPSTREAM, in.uri(), headers -> {}, timeout, 1 << 20, true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("endings")
  void aWaitingClientIsAnsweredPromptlyWhateverTheEndingBeforeIt(Ending ending) throws Exception {
    startGateway(1);
    String a = (ending.status() == 504 ? "/slow/a" : "/a");
    upstream.script(seen -> seen.target().equals(a) ? ending.answer() : ending.answerToB());

    try (RawHttp http = new RawHttp(gateway.port())) {
      Future<Integer> statusOfA = clients.submit(() -> ending.client().run(http, upstream, a));
      upstream.awaitSeen(a);
      // B asks while A holds the only pooled connection, so B gets it the moment A's exchange frees it.
      Future<Timed> b = clients.submit(() -> timedGet("/b"));

      assertEquals(ending.status(), statusOfA.get(10, TimeUnit.SECONDS), "A's status");
      Timed got = b.get(10, TimeUnit.SECONDS);
      assertEquals(200, got.response().status(), "B's status; B got: " + got.response().text());
      assertEquals("/b", got.response().text(), "B got its own response");
      assertTrue(got.elapsed().compareTo(PROMPT) < 0, "B answered after " + got.elapsed().toMillis() + " ms");
    }
    int connectionOfA = upstream.seen(a).connection();
    int connectionOfB = upstream.seen("/b").connection();
    if (ending.reuse() == Reuse.CLOSED) {
      assertNotEquals(connectionOfA, connectionOfB, "B must not be sent on A's connection");
    } else {
      assertEquals(connectionOfA, connectionOfB, "a clean exchange leaves its connection to the next");
    }
  }

  /**
   * 120 clients, eight at a time, on a pool of two: each does one of the endings or (two in three) a
   * plain GET, in an order drawn from a seeded random. Every plain GET gets its own 200 promptly.
   */
  @Test
  void plainRequestsInterleavedWithEveryEndingAreAllAnsweredPromptly() throws Exception {
    startGateway(2);
    long seed = Long.getLong("gatehouse.test.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Ending> endings = endings();
    List<Ending> plan = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      plan.add(random.nextInt(3) == 0 ? endings.get(random.nextInt(endings.size())) : null);
    }
    upstream.script(seen -> {
      String[] parts = seen.target().split("/");
      // /e/<ending index>/<n>, /slow/e/<ending index>/<n>, or /plain/<n>
      if (seen.target().startsWith("/plain/")) {
        return Answer.echoTarget();
      }
      return endings.get(Integer.parseInt(parts[parts.length - 2])).answer();
    });

    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      Ending ending = plan.get(i);
      int n = i;
      results.add(clients.submit(() -> {
        if (ending == null) {
          Timed got = timedGet("/plain/" + n);
          if (got.response().status() != 200 || !got.response().text().equals("/plain/" + n)
              || got.elapsed().compareTo(PROMPT) >= 0) {
            return "/plain/" + n + ": " + got.response().status() + " '" + got.response().text() + "' after "
                + got.elapsed().toMillis() + " ms";
          }
          return "";
        }
        String target = (ending.status() == 504 ? "/slow" : "") + "/e/" + endings.indexOf(ending) + "/" + n;
        try (RawHttp http = new RawHttp(gateway.port())) {
          ending.client().run(http, upstream, target);
        } catch (IOException e) {
          // An ending's own client may see its connection cut; only the plain requests are judged.
        }
        return "";
      }));
    }
    List<String> failures = new ArrayList<>();
    for (Future<String> result : results) {
      String failure = result.get(60, TimeUnit.SECONDS);
      if (!failure.isEmpty()) {
        failures.add(failure);
      }
    }
    assertEquals(List.of(), failures, "seed " + seed + " (rerun with -Dgatehouse.test.seed=" + seed + ")");
  }

  record Timed(RawHttp.Response response, Duration elapsed) {}

  private Timed timedGet(String target) {
    long started = System.nanoTime();
    RawHttp.Response response = RawHttp.get(gateway.port(), target);
    return new Timed(response, Duration.ofNanos(System.nanoTime() - started));
  }

  private static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private static int get(RawHttp http, String target, String headLines) throws IOException {
    http.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n" + headLines + "\r\n");
    return http.read(true).status();
  }

  private static int head(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("HEAD " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    return http.read(false).status();
  }

  private static int tunnelPing(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n" + UPGRADE_HEAD + "\r\n\r\n");
    int status = http.read(false).status();
    http.send("ping");
    assertEquals("ping", new String(http.readBytes(4), StandardCharsets.ISO_8859_1));
    http.close();
    return status;
  }

  private static int upload(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000));
    return http.read(true).status();
  }

  private static int uploadReadingEarlyAnswer(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
    return http.read(true).status();
  }

  private static int uploadThenLeave(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
    upstream.awaitSeen(target);
    http.close();
    return 0;
  }

  private static int leaveAfterHead(RawHttp http, ScriptedUpstream upstream, String target) throws IOException {
    http.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    http.read(false);
    http.close();
    return 0;
  }
}
