package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.server.PrematureResets;
import gatehouse.testing.RawH2;
import gatehouse.testing.RealTime;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cleartext HTTP/2 inbound ({@code listen.h2c: true}), forwarded upstream as HTTP/1.1. */
class Http2IT {
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("", "", true);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }


  @Test
  void http2WithPriorKnowledgeIsAuthenticatedAndForwardedAsHttp11() {
    gw.upstream.replyWith(Reply.echo());
    String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
    HttpClient h2 = gw.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/h2")
          .addHeader("Authorization", "Bearer " + token).addHeader("x-user-id", GatewayInvariants.SPOOF);
      int status = await(h2.request(options).compose(req -> req.send().compose(r -> r.body().map(b -> {
        assertEquals(HttpVersion.HTTP_2, r.version());
        return r.statusCode();
      }))));
      assertEquals(200, status);
      assertEquals(Optional.of("alice"), gw.upstream.lastRequest().header("X-User-Id"));
      assertEquals(HttpVersion.HTTP_1_1, gw.upstream.lastRequest().version());
      int unauthenticated = await(h2.request(new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/h2"))
          .compose(r -> r.send()).map(r -> r.statusCode()));
      assertEquals(401, unauthenticated);
    } finally {
      await(h2.close());
    }
  }

  private static final AtomicInteger ROW = new AtomicInteger();

  /**
   * RFC 9113 section 8.3.1: a request to an http(s) URI has {@code :authority} or Host; when both
   * are present they name the same authority; either is held to the Host syntax of RFC 9112
   * section 3.2. Each row: {@code :authority} (null: absent), the Host fields, and what the client
   * gets: {@code forwarded}, the gateway's error code, or {@code reset} where Vert.x's HTTP/2
   * server refuses the stream itself (an {@code :authority} or Host it cannot parse, a Host that
   * differs from {@code :authority} in any way, case included), {@code closed} where it drops the
   * connection (a percent-encoded {@code :authority}).
   */
  static Stream<Arguments> authorities() {
    return Stream.of(
        Arguments.of("gw.example", List.of(), "forwarded"),
        Arguments.of("gw.example:8080", List.of(), "forwarded"),
        Arguments.of("[::1]:8080", List.of(), "forwarded"),
        Arguments.of(null, List.of("gw.example"), "forwarded"),
        Arguments.of("gw.example", List.of("gw.example"), "forwarded"),
        Arguments.of(null, List.of(), "bad_host"),
        Arguments.of("a.example,b.example", List.of(), "bad_host"),
        Arguments.of("a.example;for=x", List.of(), "bad_host"),
        Arguments.of(null, List.of("a.example,b.example"), "bad_host"),
        Arguments.of("gw.example", List.of("gw.example", "other.example"), "bad_host"),
        Arguments.of("127.1", List.of(), "bad_host"),
        Arguments.of(null, List.of("a.example, b.example"), "reset"),
        Arguments.of("gw.example", List.of("other.example"), "reset"),
        Arguments.of("gw.example", List.of("GW.example"), "reset"),
        Arguments.of("gw.example", List.of("gw.example:81"), "reset"),
        Arguments.of("a b", List.of(), "reset"),
        Arguments.of("u@gw.example", List.of(), "reset"),
        Arguments.of("gw%2Eexample", List.of(), "closed"));
  }

  @ParameterizedTest(name = "[{index}] :authority {0}, Host {1}")
  @MethodSource("authorities")
  void theAuthorityIsOneValidHost(String authority, List<String> hosts, String expected) throws IOException {
    gw.upstream.replyWith(Reply.echo());
    String path = "/api/public/h2-authority-" + ROW.incrementAndGet();
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {":method", "GET"});
    fields.add(new String[] {":scheme", "http"});
    fields.add(new String[] {":path", path});
    if (authority != null) fields.add(new String[] {":authority", authority});
    hosts.forEach(h -> fields.add(new String[] {"host", h}));
    String answer = RawH2.get(gw.port(), fields);
    boolean forwarded = gw.upstream.requests().stream().anyMatch(r -> r.target().equals(path));
    assertEquals(expected, answer);
    assertEquals(expected.equals("forwarded"), forwarded, "the upstream saw it");
    if (forwarded) {
      String host = authority != null ? authority : hosts.get(0);
      assertEquals(Optional.of(host), gw.upstream.lastRequest().header("X-Forwarded-Host"));
    }
  }

  /**
   * RFC 9113 section 6.5.2: {@code limits.max_header_size} is the HTTP/2 header list limit too,
   * counted as that section does (each field's name and value plus 32). At the limit the request is
   * forwarded; one byte over, the stream is refused (Netty answers 431 and ends it) and the upstream
   * never sees it. A limit below Vert.x's own 8 KiB default shows the configured one is in force.
   */
  @Test
  void theHeaderListLimitIsMaxHeaderSize() throws IOException {
    try (GatewayHarness small = GatewayHarness.start("limits: {max_header_size: 4KiB}", "", true)) {
      small.upstream.replyWith(Reply.echo());
      assertEquals("forwarded", RawH2.get(small.port(), fieldsOfListSize("/api/public/h2-at-limit", 4096)));
      String over = RawH2.get(small.port(), fieldsOfListSize("/api/public/h2-over-limit", 4097));
      assertEquals(List.of("/api/public/h2-at-limit"), small.upstream.requests().stream().map(r -> r.target()).toList());
      assertTrue(List.of("ended", "reset", "goaway", "closed").contains(over), over);
    }
  }

  /**
   * HTTP/2 rapid reset (CVE-2023-44487): a client that opens streams and cancels each at once must
   * not make the gateway send their requests upstream, nor write a log line per stream. 45 streams
   * on one connection (below the 50 premature resets that close a connection, {@link
   * #aConnectionThatResetsMostOfItsStreamsBeforeTheirAnswerIsClosed}), each reset right after its
   * HEADERS, then one normal request on the same connection, whose answer means every reset before
   * it was read; the upstream answers slowly, as a loaded one would.
   */
  @Test
  void streamsResetByTheClientAreNotSentUpstreamNorLoggedOneByOne() throws IOException {
    gw.upstream.replyWith(Reply.echo().afterDelay(Duration.ofMillis(200)));
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    root.addAppender(lines);
    int streams = 45;
    String last;
    try {
      last = RawH2.resetEach(gw.port(), "/api/public/h2-reset-", streams);
      RealTime.pause(Duration.ofMillis(500));
    } finally {
      root.detachAppender(lines);
    }
    assertEquals("forwarded", last, "the request after the resets is served");
    long reachedUpstream = gw.upstream.requests().stream().filter(r -> r.target().startsWith("/api/public/h2-reset-")).count();
    assertTrue(reachedUpstream <= streams / 10,
        reachedUpstream + " of " + streams + " reset streams reached the upstream");
    List<String> warnings = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    assertTrue(warnings.size() <= 2, warnings.size() + " lines at WARN or above, first: " + warnings.subList(0, Math.min(3, warnings.size())));
  }

  /**
   * Envoy's premature-reset rule: a connection whose client resets 50 streams before their answer,
   * at least half of its streams, is sent GOAWAY (ENHANCE_YOUR_CALM) as the 50th reset is read and
   * closed, and counted. Here 100 streams are sent, each reset right after its HEADERS, then a GET,
   * all in one write: the gateway takes the first 50 and none after, the GET included. Netty's own
   * limit, 200 RST_STREAM frames per 30 s, let the whole write through, and 50 connections of it
   * took the gateway to 268-301 MiB RSS (the abuse suite's HTTP/2 rapid reset).
   */
  @Test
  void aConnectionThatResetsMostOfItsStreamsBeforeTheirAnswerIsClosed() throws IOException {
    gw.upstream.replyWith(Reply.echo());
    long closedBefore = PrematureResets.connectionsClosed();
    try (RawH2 h2 = RawH2.open(gw.port())) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      int stream = getThenReset(batch, 1, 100, "/api/public/premature-");
      RawH2.frame(batch, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", "/api/public/premature-last"));
      h2.write(batch.toByteArray());
      awaitTrue(h2::closed, "the connection is closed");
      assertEquals(0xb, h2.goAwayError(), "GOAWAY's error code: ENHANCE_YOUR_CALM");
      assertEquals(99, h2.goAwayLastStream(), "GOAWAY's last stream: the 50th");
      RealTime.pause(Duration.ofMillis(300));
      assertEquals(0, h2.endsReceived(), "responses on the connection");
    }
    assertEquals(closedBefore + 1, PrematureResets.connectionsClosed(), "connections counted");
    assertEquals(0, gw.upstream.requests().stream().filter(r -> r.target().startsWith("/api/public/premature-")).count(),
        "requests that reached the upstream");
  }

  /**
   * The same rule keeps a client whose cancelled streams are fewer than half of its streams: 100
   * requests answered, then 60 streams reset right after their HEADERS (more than 50, fewer than
   * half of 160), then one more request, answered on the same connection.
   */
  @Test
  void aConnectionWhoseResetsAreFewerThanHalfOfItsStreamsIsKept() throws IOException {
    gw.upstream.replyWith(Reply.echo());
    long closedBefore = PrematureResets.connectionsClosed();
    try (RawH2 h2 = RawH2.open(gw.port())) {
      ByteArrayOutputStream answered = new ByteArrayOutputStream();
      int stream = 1;
      for (int i = 0; i < 100; i++, stream += 2) {
        RawH2.frame(answered, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", "/api/public/kept-" + i));
      }
      h2.write(answered.toByteArray());
      awaitTrue(() -> h2.endsReceived() == 100 || h2.closed(), "100 answers");
      ByteArrayOutputStream reset = new ByteArrayOutputStream();
      stream = getThenReset(reset, stream, 60, "/api/public/kept-reset-");
      RawH2.frame(reset, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", "/api/public/kept-last"));
      h2.write(reset.toByteArray());
      awaitTrue(() -> h2.endsReceived() == 101 || h2.closed(), "the last answer");
      assertFalse(h2.closed(), "the connection was closed (GOAWAY error " + h2.goAwayError() + ")");
      assertEquals(101, h2.endsReceived(), "answers");
    }
    assertEquals(closedBefore, PrematureResets.connectionsClosed(), "connections counted");
  }

  /**
   * The same rule for streams reset while they are forwarded: 60 GETs to a slow upstream, each
   * reset once it has reached the upstream, before the answer. The connection is closed at the 50th.
   */
  @Test
  void streamsResetWhileForwardedCountAsPrematureResets() throws IOException {
    gw.upstream.replyWith(Reply.echo().afterDelay(Duration.ofSeconds(3)));
    long closedBefore = PrematureResets.connectionsClosed();
    try (RawH2 h2 = RawH2.open(gw.port())) {
      ByteArrayOutputStream heads = new ByteArrayOutputStream();
      for (int i = 0, stream = 1; i < 60; i++, stream += 2) {
        RawH2.frame(heads, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", "/api/public/forwarded-" + i));
      }
      h2.write(heads.toByteArray());
      awaitTrue(() -> gw.upstream.requests().stream().filter(r -> r.target().startsWith("/api/public/forwarded-")).count() >= 50,
          "50 requests at the upstream");
      ByteArrayOutputStream resets = new ByteArrayOutputStream();
      for (int i = 0, stream = 1; i < 60; i++, stream += 2) {
        RawH2.frame(resets, RawH2.RST_STREAM, 0, stream, RawH2.cancel());
      }
      h2.write(resets.toByteArray());
      awaitTrue(h2::closed, "the connection is closed");
      assertEquals(0xb, h2.goAwayError(), "GOAWAY's error code: ENHANCE_YOUR_CALM");
    }
    assertEquals(closedBefore + 1, PrematureResets.connectionsClosed(), "connections counted");
  }

  /**
   * Writes to {@code out} {@code count} GETs to {@code prefix} plus their index, each followed by
   * its RST_STREAM, on streams from {@code firstStream} on; returns the next stream id.
   */
  private static int getThenReset(ByteArrayOutputStream out, int firstStream, int count, String prefix) {
    int stream = firstStream;
    for (int i = 0; i < count; i++, stream += 2) {
      RawH2.frame(out, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", prefix + i));
      RawH2.frame(out, RawH2.RST_STREAM, 0, stream, RawH2.cancel());
    }
    return stream;
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      RealTime.pause(Duration.ofMillis(20));
    }
    assertTrue(condition.getAsBoolean(), what + " within 10 s");
  }

  /**
   * Rapid reset on many connections at once, with the upstream pools already holding idle
   * connections: a request whose RST_STREAM came in the same read as its HEADERS was sent on an
   * idle connection before the reset was read (256 of 24 000 reached the upstream at 120
   * connections), and streams reset while they waited for a connection later took one.
   */
  @Test
  void streamsResetOnManyConnectionsWithWarmPoolsAreNotSentUpstream() throws Exception {
    gw.upstream.replyWith(Reply.echo().afterDelay(Duration.ofMillis(100)));
    HttpClient h1 = gw.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
    try {
      // Opens idle pooled upstream connections on every event loop: 32 client connections at once.
      List<io.vertx.core.Future<Integer>> warm = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        warm.add(h1.request(new RequestOptions().setHost("127.0.0.1").setPort(gw.port()).setURI("/api/public/warm-" + i))
            .compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode())));
      }
      await(io.vertx.core.Future.all(warm));
    } finally {
      await(h1.close());
    }
    int connections = 64;
    int streams = 45;
    java.util.concurrent.ExecutorService attackers = java.util.concurrent.Executors.newFixedThreadPool(connections);
    List<java.util.concurrent.Future<String>> lasts = new ArrayList<>();
    try {
      for (int c = 0; c < connections; c++) {
        String prefix = "/api/public/rr-" + c + "-";
        lasts.add(attackers.submit(() -> RawH2.resetEach(gw.port(), prefix, streams)));
      }
      for (java.util.concurrent.Future<String> last : lasts) {
        String answer = last.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(answer.equals("forwarded") || answer.equals("reset"),
            "the request after the resets: " + answer);
      }
    } finally {
      attackers.shutdownNow();
    }
    RealTime.pause(Duration.ofMillis(500));
    long reachedUpstream = gw.upstream.requests().stream()
        .filter(r -> r.target().startsWith("/api/public/rr-") && !r.target().endsWith("last")).count();
    assertEquals(0, reachedUpstream, reachedUpstream + " of " + connections * streams + " reset streams reached the upstream");
  }

  /**
   * Rapid reset on an API-key route while the key store is slow: every stream waits for its
   * lookup. A stream was held to its lookup's end with its Vert.x and Netty state (about 9 KiB),
   * and 120 connections of 199 resets each ended the gateway with a heap OutOfMemoryError. Here the
   * store's table is locked, so each lookup waits; the streams reset meanwhile must be let go (no
   * Vert.x stream left alive beyond one per connection), and once the store answers again the gateway still
   * answers on a new connection.
   */
  @Test
  void streamsResetWhileTheirApiKeyIsLookedUpAreLetGo() throws Exception {
    gatehouse.testing.TestDatabases.Db pg = gatehouse.testing.TestDatabases.postgres();
    String store = pg.store();
    GatewayHarness keyed = null;
    try {
      keyed = GatewayHarness.start("", "  api_keys: {store: \"" + store + "\", db_timeout: 30s}",
          "  - {id: keyed, match: {prefix: /keyed/}, upstream: app, policy: api_key}", true);
      int connections = 60;
      int streams = 45;
      List<RawH2> open = new ArrayList<>();
      try (java.sql.Connection lock = java.sql.DriverManager.getConnection(
          "jdbc:postgresql://" + gatehouse.testing.TestDatabases.PG_HOST_PORT + "/test", gatehouse.testing.TestDatabases.PG_USER, "")) {
        String table = store.substring(store.indexOf("currentSchema=") + "currentSchema=".length()) + ".api_keys";
        // The store is opened (and its schema made) on first use.
        assertEquals("invalid_api_key", RawH2.get(keyed.port(), keyedGet("/keyed/first")), "the first request");
        try (java.sql.Statement st = lock.createStatement()) {
          lock.setAutoCommit(false);
          st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        try {
          for (int c = 0; c < connections; c++) {
            RawH2 h2 = RawH2.open(keyed.port());
            open.add(h2);
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0, stream = 1; i < streams; i++, stream += 2) {
              RawH2.frame(batch, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream,
                  RawH2.request("GET", "/keyed/rr-" + c + "-" + i, "x-api-key", gatehouse.authn.apikey.WellFormedKeys.random()));
              RawH2.frame(batch, RawH2.RST_STREAM, 0, stream, RawH2.cancel());
            }
            RawH2.frame(batch, RawH2.PING, 0, 0, new byte[8]);
            h2.write(batch.toByteArray());
          }
          // The PING's acknowledgement means the gateway read every HEADERS and RST_STREAM before it.
          long deadline = System.nanoTime() + 10_000_000_000L;
          while (open.stream().anyMatch(h2 -> h2.pingAcks() == 0) && System.nanoTime() < deadline) {
            RealTime.pause(Duration.ofMillis(100));
          }
          assertTrue(open.stream().allMatch(h2 -> h2.pingAcks() > 0), "every connection's PING answered");
          long live = liveInstances("io.vertx.core.http.impl.Http2ServerStream");
          assertTrue(live <= connections,
              live + " HTTP/2 server streams alive after " + connections * streams + " were reset while their key was looked up");
        } finally {
          open.forEach(RawH2::close);
          lock.rollback();
        }
      }
      assertEquals("invalid_api_key", RawH2.get(keyed.port(), keyedGet("/keyed/after")), "the request after the resets");
    } finally {
      if (keyed != null) keyed.close();
      pg.close();
    }
  }

  /** A GET to {@code path} with a well-formed API key that no store holds. */
  private static List<String[]> keyedGet(String path) {
    return List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"}, new String[] {":path", path},
        new String[] {":authority", "gw.example"}, new String[] {"x-api-key", gatehouse.authn.apikey.WellFormedKeys.random()});
  }

  /** Live instances of exactly {@code className} in this JVM, after a full collection (jcmd GC.class_histogram). */
  private static long liveInstances(String className) throws Exception {
    String histogram = (String) java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
        new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + java.util.regex.Pattern.quote(className) + "(\\s|$)")
        .matcher(histogram);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** A GET to {@code path} whose header list, by RFC 9113 section 6.5.2's count, is {@code size} bytes. */
  private static List<String[]> fieldsOfListSize(String path, int size) {
    List<String[]> fields = new ArrayList<>(List.of(
        new String[] {":method", "GET"}, new String[] {":scheme", "http"},
        new String[] {":path", path}, new String[] {":authority", "gw.example"}));
    int used = fields.stream().mapToInt(f -> f[0].length() + f[1].length() + 32).sum();
    fields.add(new String[] {"x-pad", "a".repeat(size - used - "x-pad".length() - 32)});
    return fields;
  }
}
