package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.ScriptedUpstream;
import gatehouse.testing.ScriptedUpstream.Answer;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 20 sections 1 and 2, end to end: a bounded queue per upstream pool ({@code max_pending},
 * 503 {@code upstream_busy}) and a per-route cap on requests in flight ({@code max_concurrent},
 * 503 {@code route_busy}), against an upstream on 127.0.0.1 whose {@code /hang} endpoints read the
 * request and never answer. Each upstream entry below serves one test, so their pools do not mix.
 * The test Vert.x has two event loops, and pools and queues are per event loop.
 */
class UpstreamPressureIT {
  private static Vertx upstreamVertx;
  private static ScriptedUpstream upstream;
  private static GatewayHarness gw;

  @BeforeAll
  static void start() {
    upstreamVertx = TestVertx.create();
    upstream = ScriptedUpstream.start(upstreamVertx);
    upstream.script(seen -> seen.target().contains("/hang") ? Answer.atHead(ScriptedUpstream.deaf()) : Answer.echoTarget());
    String url = upstream.url();
    gw = GatewayHarness.start(String.join("\n",
            "  shared: {url: \"" + url + "\", max_connections: 4, connect_timeout: 10s}",
            "  queued: {url: \"" + url + "\", max_connections: 2, max_pending: 2, connect_timeout: 10s}",
            "  wide: {url: \"" + url + "\", max_connections: 64}",
            "  guarded: {url: \"" + url + "\", max_connections: 1, max_pending: 1, connect_timeout: 10s, "
                + "breaker: {consecutive_failures: 3}}",
            "  waited: {url: \"" + url + "\", max_connections: 1, max_pending: 64, connect_timeout: 1s, timeout: 20s, "
                + "breaker: {consecutive_failures: 3}}"),
        "",
        String.join("\n",
            "  - {id: shared-hang, match: {prefix: /shared/hang}, upstream: shared, policy: public, max_concurrent: 2}",
            "  - {id: shared-fast, match: {prefix: /shared/}, upstream: shared, policy: public}",
            "  - {id: queued, match: {prefix: /queued/}, upstream: queued, policy: public}",
            "  - {id: abort, match: {prefix: /abort/}, upstream: wide, policy: public, max_concurrent: 32}",
            "  - {id: guarded-hang, match: {prefix: /guarded/hang}, upstream: guarded, policy: public}",
            "  - {id: guarded-other, match: {prefix: /guarded/}, upstream: guarded, policy: public}",
            "  - {id: waited-hang, match: {prefix: /waited/hang}, upstream: waited, policy: public}",
            "  - {id: waited-other, match: {prefix: /waited/}, upstream: waited, policy: public}"),
        false);
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
    if (upstream != null) upstream.close();
    if (upstreamVertx != null) upstreamVertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * Issue 20 section 2: flooded, the hung route holds at most its {@code max_concurrent} of the
   * upstream's connections; the rest are refused at once, and the other route of the same
   * upstream keeps answering. Without the cap, the flood takes every connection and queue place.
   */
  @Test
  @Timeout(20)
  void aCappedHungRouteLeavesItsUpstreamToTheOtherRoutes() throws Exception {
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger refused = new AtomicInteger();
    java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ExecutorService flood = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      flood.submit(() -> {
        while (flooding.get()) {
          // A request the upstream holds stays open until the test ends; the others are refused.
          try (Socket s = send("/shared/hang", 20_000)) {
            open.add(s);
            Reply r = read(s);
            if (r.status() == 503 && r.code().equals("route_busy")) refused.incrementAndGet();
          } catch (IOException e) {
            // cut by the test's end, or a connect that timed out
          }
          Thread.sleep(2);
        }
        return null;
      });
    }
    try {
      Thread.sleep(300);
      int ok = 0;
      int failed = 0;
      int total = 300;
      for (int i = 0; i < total && failed <= total / 100; i++) {
        try (Socket s = send("/shared/fast/" + i, 2_000)) {
          Reply r = read(s);
          if (r.status() == 200) ok++; else failed++;
        } catch (SocketTimeoutException e) {
          failed++;
        }
      }
      assertTrue(ok >= total * 99 / 100, "the other route answered " + ok + " of " + total);
      assertTrue(refused.get() > 0, "the flood was never refused with route_busy");
    } finally {
      flooding.set(false);
      flood.shutdownNow();
      for (Socket s : open) abort(s);
      assertTrue(flood.awaitTermination(5, TimeUnit.SECONDS), "the flood did not stop");
    }
  }

  /**
   * Issue 20 section 1: with every pooled connection busy and {@code max_pending} waiting, a
   * request is refused at once with 503 and {@code Retry-After}, not held until {@code
   * connect_timeout} and answered 504.
   */
  @Test
  @Timeout(20)
  void aFullPoolWithAFullQueueAnswers503AtOnce() throws Exception {
    List<Socket> holders = new ArrayList<>();
    try {
      // 2 connections and 2 queue places on each of the two event loops: 8 requests are held.
      for (int i = 0; i < 24; i++) holders.add(send("/queued/hang/" + i, 10_000));
      awaitSeen("/queued/hang/", 4);
      Thread.sleep(200);
      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        long started = System.nanoTime();
        try (Socket s = send("/queued/more/" + i, 2_000)) {
          Reply r;
          try {
            r = read(s);
          } catch (SocketTimeoutException e) {
            throw new AssertionError("request " + i + " had no answer in 2 s; " + scrape().find("gatehouse_upstream_waiting")
                + scrape().find("gatehouse_upstream_busy_total") + upstream.seen().stream().filter(x -> x.target().startsWith("/queued/")).count());
          }
          long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          slowest = Math.max(slowest, took);
          assertEquals(503, r.status(), r.toString());
          assertEquals("upstream_busy", r.code());
          assertEquals(Optional.of("1"), r.header("retry-after"));
        }
      }
      assertTrue(slowest < 100, "the slowest refusal took " + slowest + " ms");
      Scrape m = scrape();
      assertEquals(4.0, m.value("gatehouse_upstream_waiting", "upstream", "queued"), "2 waiting on each event loop");
      assertTrue(m.value("gatehouse_upstream_busy_total", "upstream", "queued") >= 20, m.text());
      assertEquals(4, upstream.seen().stream().filter(s -> s.target().startsWith("/queued/")).count(),
          "only the pool's connections reached the upstream");
    } finally {
      for (Socket s : holders) abort(s);
    }
  }

  /**
   * A refusal for a full pool and queue is the gateway's bound, not the upstream's failure: while a
   * hung route holds the whole pool of an upstream with a {@code breaker}, the other route's
   * requests are refused with {@code upstream_busy} many times over its {@code
   * consecutive_failures}, and its breaker stays closed, so it answers as soon as the pool frees.
   */
  @Test
  @Timeout(20)
  void upstreamBusyRefusalsNeverOpenTheBreakerOfAnotherRoute() throws Exception {
    List<Socket> holders = new ArrayList<>();
    try {
      // 1 connection and 1 queue place on each of the two event loops: 4 requests are held.
      for (int i = 0; i < 12; i++) holders.add(send("/guarded/hang/" + i, 10_000));
      awaitSeen("/guarded/hang/", 2);
      Thread.sleep(200);
      for (int i = 0; i < 10; i++) {
        try (Socket s = send("/guarded/other/" + i, 2_000)) {
          Reply r = read(s);
          assertEquals(503, r.status(), r.toString());
          assertEquals("upstream_busy", r.code(), "request " + i);
        }
      }
      Scrape m = scrape();
      assertEquals(0.0, m.value("gatehouse_upstream_breaker_state", "upstream", "guarded", "route", "guarded-other"));
      assertEquals(0.0, m.value("gatehouse_upstream_breaker_opens_total", "upstream", "guarded", "route", "guarded-other"));
    } finally {
      for (Socket s : holders) abort(s);
    }
    awaitOk("/guarded/other/after");
  }

  /**
   * A wait for a pooled connection that times out is the gateway's queue, not the upstream's
   * failure: while a hung route holds the upstream's one connection per event loop, the other
   * route's requests wait behind it and get 504 after {@code connect_timeout}, twice its {@code
   * consecutive_failures} in a row, and its breaker stays closed. Before, each counted as a failure,
   * and the third opened the breaker: one hung endpoint shut the other routes out for {@code open_for}.
   */
  @Test
  @Timeout(20)
  void timeoutsWaitingBehindAHungRouteNeverOpenTheBreakerOfAnotherRoute() throws Exception {
    // A cold gateway may take longer than connect_timeout for its first upstream connection.
    awaitOk("/waited/warm");
    List<Socket> holders = new ArrayList<>();
    try {
      // Connections go to the two event loops in turn: each loop's one connection is held.
      for (int i = 0; i < 4; i++) holders.add(send("/waited/hang/" + i, 10_000));
      awaitSeen("/waited/hang/", 2);
      for (int i = 0; i < 6; i++) {
        try (Socket s = send("/waited/other/" + i, 5_000)) {
          Reply r = read(s);
          assertEquals(504, r.status(), "request " + i + ": " + r);
          assertEquals("upstream_timeout", r.code(), "request " + i);
        }
      }
      Scrape m = scrape();
      assertEquals(0.0, m.value("gatehouse_upstream_breaker_state", "upstream", "waited", "route", "waited-other"));
      assertEquals(0.0, m.value("gatehouse_upstream_breaker_opens_total", "upstream", "waited", "route", "waited-other"));
      assertEquals(0, upstream.seen().stream().filter(s -> s.target().startsWith("/waited/other/")).count(),
          "the upstream never saw the requests that timed out in the queue");
    } finally {
      for (Socket s : holders) abort(s);
    }
    awaitOk("/waited/other/after");
  }

  /** Waits up to 5 s until {@code target} answers 200: the pool frees once its holders are cut. */
  private static void awaitOk(String target) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try (Socket s = send(target, 2_000)) {
        Reply r = read(s);
        if (r.status() == 200) return;
        assertEquals("upstream_busy", r.code(), "the pool may still be full, but nothing else: " + r);
      }
      if (System.nanoTime() > deadline) throw new AssertionError(target + " did not answer 200 within 5 s");
      Thread.sleep(20);
    }
  }

  /**
   * Issue 20 section 2: a slot is given back at every ending, a client that cuts the connection
   * mid-flight included. 1,024 requests are cut while held by the upstream; then the route's
   * whole {@code max_concurrent} is usable again, and one more is refused.
   */
  @Test
  @Timeout(20)
  void slotsOfAbortedRequestsComeBack() throws Exception {
    int cap = 32;
    int seen = 0;
    for (int batch = 0; batch < 32; batch++) {
      List<Socket> sockets = new ArrayList<>();
      for (int i = 0; i < cap; i++) sockets.add(send("/abort/hang/" + batch + "/" + i, 10_000));
      seen += cap;
      awaitSeen("/abort/hang/", seen);
      for (Socket s : sockets) abort(s);
      awaitInFlight("abort", 0);
    }
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < cap; i++) held.add(send("/abort/hang/last/" + i, 10_000));
      awaitSeen("/abort/hang/", seen + cap);
      try (Socket s = send("/abort/hang/one-more", 2_000)) {
        Reply r = read(s);
        assertEquals(503, r.status(), r.toString());
        assertEquals("route_busy", r.code());
        assertEquals(Optional.of("1"), r.header("retry-after"));
      }
    } finally {
      for (Socket s : held) abort(s);
    }
    awaitInFlight("abort", 0);
  }

  private record Reply(int status, String head, String body) {
    String code() {
      int at = body.indexOf("\"error\":\"");
      return at < 0 ? "" : body.substring(at + 9, body.indexOf('"', at + 9));
    }

    Optional<String> header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
          return Optional.of(line.substring(colon + 1).trim());
        }
      }
      return Optional.empty();
    }
  }

  /** A fresh connection that has sent {@code GET target}; reads on it time out after {@code timeoutMillis}. */
  private static Socket send(String target, int timeoutMillis) throws IOException {
    Socket s = new Socket();
    s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), gw.port()), 2_000);
    s.setSoTimeout(timeoutMillis);
    s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    return s;
  }

  /** Reads a whole response to a {@code Connection: close} request: the server ends it by closing. */
  private static Reply read(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) throw new AssertionError("not a response: " + text);
    return new Reply(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
  }

  /** Cuts the connection with a reset, as a client that gives up does. */
  private static void abort(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private static void awaitSeen(String prefix, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long now;
    while ((now = upstream.seen().stream().filter(s -> s.target().startsWith(prefix)).count()) < count) {
      if (System.nanoTime() > deadline) throw new AssertionError(now + " requests for " + prefix + " reached the upstream, expected " + count);
      Thread.sleep(5);
    }
  }

  private static void awaitInFlight(String route, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    double now;
    while ((now = scrape().value("gatehouse_route_in_flight", "route", route)) != expected) {
      if (System.nanoTime() > deadline) throw new AssertionError("route " + route + " has " + now + " in flight, expected " + expected);
      Thread.sleep(5);
    }
  }

  private static Scrape scrape() {
    RawHttp.Response r = RawHttp.get(gw.gateway.adminPort(), "/metrics");
    assertEquals(200, r.status());
    return new Scrape(r.text());
  }
}
