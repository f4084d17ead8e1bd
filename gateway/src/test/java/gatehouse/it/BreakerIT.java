package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.ScriptedUpstream;
import gatehouse.testing.ScriptedUpstream.Answer;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy path's circuit breaker against a real gateway: routes {@code a} and {@code b} share the
 * upstream {@code flaky}, whose breaker opens after 3 consecutive failures for 1 s; {@code /a/}
 * answers as {@link #modeA} says, {@code /b/} always 200; {@code /c/} as {@code /a/}, on a route
 * with {@code max_concurrent: 1}.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BreakerIT {
  private Vertx upstreamVertx;
  private ScriptedUpstream upstream;
  private GatewayHarness gw;
  /** {@code 503}, {@code 404}, {@code 200} or {@code hang} (no answer: the gateway's 1 s timeout). */
  private final AtomicReference<String> modeA = new AtomicReference<>("200");

  @BeforeEach
  void start() {
    upstreamVertx = TestVertx.create();
    upstream = ScriptedUpstream.start(upstreamVertx);
    upstream.script(seen -> {
      String mode = seen.target().startsWith("/a/") || seen.target().startsWith("/c/") ? modeA.get() : "200";
      return switch (mode) {
        case "hang" -> Answer.atHead(ScriptedUpstream.pause(10_000));
        case "200" -> Answer.echoTarget();
        default -> Answer.afterBody(ScriptedUpstream.write("HTTP/1.1 " + mode + " Upstream Says\r\nContent-Length: 0\r\n\r\n"));
      };
    });
    gw = GatewayHarness.start(
        "  flaky: {url: \"" + upstream.url() + "\", timeout: 1s, breaker: {consecutive_failures: 3, open_for: 1s}}",
        "",
        String.join("\n",
            "  - {id: a, match: {prefix: /a/}, upstream: flaky, policy: public, max_body: 10}",
            "  - {id: b, match: {prefix: /b/}, upstream: flaky, policy: public}",
            "  - {id: c, match: {prefix: /c/}, upstream: flaky, policy: public, max_concurrent: 1}"),
        false);
  }

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
    upstream.close();
    upstreamVertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private RawHttp.Response get(String target) {
    return RawHttp.get(gw.port(), target);
  }

  private long seenA() {
    return upstream.seen().stream().filter(s -> s.target().startsWith("/a/")).count();
  }

  private static String error(RawHttp.Response r) {
    return r.body().length == 0 ? "" : new JsonObject(r.text()).getString("error", "");
  }

  private void assertShortCircuited(RawHttp.Response r, String retryAfter) {
    assertEquals(503, r.status());
    assertEquals("upstream_unavailable", error(r));
    assertEquals(Optional.of(retryAfter), r.header("Retry-After"));
  }

  private double metric(String name, String route) {
    Scrape scrape = new Scrape(RawHttp.get(gw.gateway.adminPort(), "/metrics").text());
    List<Scrape.Sample> found = scrape.find(name, "upstream", "flaky", "route", route);
    assertEquals(1, found.size(), name + "{route=" + route + "} in the scrape");
    return found.get(0).value();
  }

  /**
   * Waits up to 2 s until route {@code route}'s breaker is in {@code state} (0 closed, 1 open): an
   * exchange counts once it has ended, which can be just after the client read the whole answer.
   */
  private void awaitState(String route, int state) throws InterruptedException {
    for (int i = 0; i < 100 && metric("gatehouse_upstream_breaker_state", route) != state; i++) Thread.sleep(20);
    assertEquals(state, metric("gatehouse_upstream_breaker_state", route));
  }

  @Test
  void consecutive503sOnOneRouteOpenItsBreakerAndTheOtherRouteStillReachesTheUpstream() throws Exception {
    modeA.set("503");
    for (int i = 0; i < 3; i++) {
      RawHttp.Response r = get("/a/" + i);
      assertEquals(503, r.status());
      assertEquals("", error(r), "the upstream's own 503 is relayed");
    }
    assertEquals(3, seenA());
    awaitState("a", 1);
    for (int i = 0; i < 5; i++) assertShortCircuited(get("/a/more" + i), "1");
    assertEquals(3, seenA(), "an open breaker sends nothing upstream");
    for (int i = 0; i < 5; i++) assertEquals(200, get("/b/" + i).status());
    assertEquals(1, metric("gatehouse_upstream_breaker_state", "a"));
    assertEquals(1, metric("gatehouse_upstream_breaker_opens_total", "a"));
    assertEquals(5, metric("gatehouse_upstream_breaker_short_circuited_total", "a"));
    assertEquals(0, metric("gatehouse_upstream_breaker_state", "b"));
    assertEquals(0, metric("gatehouse_upstream_breaker_short_circuited_total", "b"));
  }

  @Test
  void consecutiveTimeoutsOpenItAndThenTheGatewayAnswersAtOnce() throws Exception {
    modeA.set("hang");
    for (int i = 0; i < 3; i++) assertEquals(504, get("/a/" + i).status());
    awaitState("a", 1);
    long started = System.nanoTime();
    assertShortCircuited(get("/a/fast"), "1");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(millis < 500, "answered in " + millis + " ms, not after the 1 s upstream timeout");
    assertEquals(3, seenA());
    assertEquals(200, get("/b/x").status());
  }

  @Test
  void clientErrorsRefusedBodiesAndClientAbortsNeverOpenIt() throws Exception {
    modeA.set("404");
    for (int i = 0; i < 6; i++) assertEquals(404, get("/a/" + i).status());
    for (int i = 0; i < 4; i++) {
      RawHttp.Response r = RawHttp.send(gw.port(), "POST /a/big" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100", new byte[100]);
      assertEquals(413, r.status());
    }
    modeA.set("hang");
    for (int i = 0; i < 4; i++) {
      try (Socket s = new Socket("127.0.0.1", gw.port())) {
        s.getOutputStream().write(("GET /a/abort" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        upstream.awaitSeen("/a/abort" + i);
      }
    }
    modeA.set("200");
    assertEquals(200, get("/a/after").status());
    assertEquals(0, metric("gatehouse_upstream_breaker_state", "a"));
    assertEquals(0, metric("gatehouse_upstream_breaker_opens_total", "a"));
  }

  @Test
  void afterOpenForOneProbeGoesAFailedProbeDoublesTheWaitAndASuccessfulOneClosesIt() throws Exception {
    modeA.set("503");
    for (int i = 0; i < 3; i++) get("/a/" + i);
    awaitState("a", 1);
    assertShortCircuited(get("/a/open"), "1");
    Thread.sleep(1_100);
    assertEquals(503, get("/a/probe1").status(), "the probe reaches the upstream, which still fails");
    assertEquals(4, seenA());
    awaitState("a", 1);
    assertShortCircuited(get("/a/reopened"), "2");
    modeA.set("200");
    assertShortCircuited(get("/a/still-open"), "2");
    Thread.sleep(2_100);
    assertEquals(200, get("/a/probe2").status());
    awaitState("a", 0);
    assertEquals(200, get("/a/closed").status());
    assertEquals(6, seenA());
    assertEquals(0, metric("gatehouse_upstream_breaker_state", "a"));
    assertEquals(2, metric("gatehouse_upstream_breaker_opens_total", "a"));
  }

  /**
   * A request the open breaker refuses gives its route's {@code max_concurrent} slot back: with a
   * cap of 1, every refusal after the first would otherwise be {@code route_busy}.
   */
  @Test
  void aShortCircuitedRequestGivesItsRouteSlotBack() throws Exception {
    modeA.set("503");
    for (int i = 0; i < 3; i++) {
      RawHttp.Response r = get("/c/" + i);
      assertEquals(503, r.status());
      assertEquals("", error(r), "the upstream's own 503 is relayed");
      awaitIdle("c");
    }
    awaitState("c", 1);
    for (int i = 0; i < 5; i++) assertShortCircuited(get("/c/open" + i), "1");
    assertEquals(0, inFlight("c"));
    Thread.sleep(1_100);
    modeA.set("200");
    assertEquals(200, get("/c/probe").status(), "the probe takes the route's one slot");
    awaitState("c", 0);
    awaitIdle("c");
    assertEquals(200, get("/c/closed").status());
  }

  private double inFlight(String route) {
    List<Scrape.Sample> found = new Scrape(RawHttp.get(gw.gateway.adminPort(), "/metrics").text())
        .find("gatehouse_route_in_flight", "route", route);
    assertEquals(1, found.size(), "gatehouse_route_in_flight{route=" + route + "} in the scrape");
    return found.get(0).value();
  }

  /** Waits up to 2 s until route {@code route} has nothing in flight: its last exchange has ended. */
  private void awaitIdle(String route) throws InterruptedException {
    for (int i = 0; i < 100 && inFlight(route) != 0; i++) Thread.sleep(20);
    assertEquals(0, inFlight(route));
  }
}
