package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 20, section 3: no log line is written once per request for a condition a client can
 * cause. For each kind of request a client (or a flood of them) can send that fails, a fresh
 * gateway gets N of them, and every application log line written meanwhile is counted, Vert.x's
 * and Netty's included, at the levels a production gateway logs at ({@code INFO}, {@code WARN} for
 * {@code io.netty} and {@code io.vertx}). The count must not depend on N: 10 and 1,000 of a kind
 * give the same number of lines. The access log, one line per request by design, is not counted.
 */
class LogVolumeIT {
  private static final int FEW = 10;
  private static final int MANY = 1000;
  private static final AtomicInteger GATEWAYS = new AtomicInteger();
  /** A plain HTTP server, named by an https url: every handshake with it fails. */
  private static Vertx plainVertx;
  private static UpstreamRecorder plain;
  /** A server whose every answer is an unparseable status line. */
  private static NetServer garbage;

  /** A kind of failing request, as raw bytes (each on a connection of its own), and the status it gets. */
  enum Kind {
    NO_ROUTE(404),
    FORGED_TOKEN(401),
    GARBAGE_TOKEN(401),
    AMBIGUOUS_TARGET(400),
    BAD_HOST(400),
    HEADERS_TOO_LARGE(431),
    UPSTREAM_UNREACHABLE(502),
    /** A real handshake failure: the upstream's url says https, the server there speaks plain HTTP. */
    UPSTREAM_TLS_FAILS(502),
    /** An upstream whose status line cannot be parsed. */
    UPSTREAM_ANSWERS_GARBAGE(502),
    /** A body cut by a reset halfway: no status is read. */
    BODY_CUT_BY_RESET(0);

    final int status;

    Kind(int status) {
      this.status = status;
    }

    byte[] request(String tlsRoute) {
      String head = switch (this) {
        case NO_ROUTE -> "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        case FORGED_TOKEN -> "GET /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + TestTokens.signedBy(TestKeys.otherRsa(), Clock.systemUTC()).claim("sub", "mallory").sign() + "\r\n";
        case GARBAGE_TOKEN -> "GET /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer e30.e30.garbage\r\n";
        case AMBIGUOUS_TARGET -> "GET /api/public/a%2Fb HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        case BAD_HOST -> "GET /api/public/x HTTP/1.1\r\nHost: a b\r\n";
        case HEADERS_TOO_LARGE -> "GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(20_000) + "\r\n";
        case UPSTREAM_UNREACHABLE -> "GET /down/x HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        case UPSTREAM_TLS_FAILS -> "GET " + tlsRoute + "x HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        case UPSTREAM_ANSWERS_GARBAGE -> "GET /garbage/x HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        case BODY_CUT_BY_RESET -> "POST /api/public/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n";
      };
      String whole = head + "Connection: close\r\n\r\n" + (this == BODY_CUT_BY_RESET ? "0123456789" : "");
      return whole.getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  @Timeout(120)
  void logLinesDoNotGrowWithTheNumberOfFailingRequests(Kind kind) throws Exception {
    List<String> few = linesFor(kind, FEW);
    List<String> many = linesFor(kind, MANY);
    assertEquals(few.size(), many.size(), kind + ": " + FEW + " requests wrote " + few + "\n" + MANY + " requests wrote "
        + many.subList(0, Math.min(many.size(), 20)) + (many.size() > 20 ? " and " + (many.size() - 20) + " more" : ""));
    assertTrue(many.size() <= 1, kind + ": at most one line for a kind of failure in one window: " + many);
  }

  /** The log lines a fresh gateway writes while it answers {@code n} requests of {@code kind}. */
  private static List<String> linesFor(Kind kind, int n) throws Exception {
    String tls = "tls" + GATEWAYS.incrementAndGet();
    // The gateway's clock stands still, so all N requests fall in one window of the throttled logs
    // however long they take on a loaded machine; Vert.x's and Netty's own lines ignore it.
    Clock frozen = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    try (GatewayHarness gw = GatewayHarness.start(frozen,
        "  " + tls + ": {url: \"" + plain.url().replace("http://", "https://") + "\", connect_timeout: 10s}\n"
            + "  garbage: {url: \"http://127.0.0.1:" + garbage.actualPort() + "\"}",
        "",
        "  - {id: " + tls + ", match: {prefix: /" + tls + "/}, upstream: " + tls + ", policy: public}\n"
            + "  - {id: garbage, match: {prefix: /garbage/}, upstream: garbage, policy: public}",
        false);
        Capture capture = new Capture()) {
      byte[] request = kind.request("/" + tls + "/");
      if (kind.status != 0) {
        String first = exchange(gw.port(), request);
        assertTrue(first.startsWith("HTTP/1.1 " + kind.status + " "), kind + " gets " + kind.status + ": " + first);
      } else {
        cut(gw.port(), request);
      }
      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 1; i < n; i++) {
          sent.add(clients.submit(() -> {
            if (kind.status != 0) exchange(gw.port(), request);
            else cut(gw.port(), request);
            return null;
          }));
        }
        for (Future<?> f : sent) f.get(60, TimeUnit.SECONDS);
      } finally {
        clients.shutdownNow();
      }
      // A reset is seen by the gateway after the client has gone: let those arrive.
      Thread.sleep(300);
      return capture.lines();
    }
  }

  @BeforeAll
  static void plainServer() throws Exception {
    plainVertx = TestVertx.create();
    plain = UpstreamRecorder.start(plainVertx);
    garbage = plainVertx.createNetServer()
        .connectHandler(socket -> socket.handler(b -> socket.write("HTTP/1.1 two hundred\r\n\r\n")))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopPlainServer() {
    if (plain != null) plain.close();
    if (plainVertx != null) plainVertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends {@code request} on a new connection and reads the whole answer (the gateway closes). */
  private static String exchange(int port, byte[] request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException reset) {
      // A refused head may be answered and reset before everything was read; the status was checked once.
      return "";
    }
  }

  /** Sends {@code request} and cuts the connection with a reset. */
  private static void cut(int port, byte[] request) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.getOutputStream().write(request);
    s.setSoLinger(true, 0);
    s.close();
  }

  /**
   * Every log event while open, at production levels: the root and {@code gatehouse} at {@code
   * INFO}, {@code io.netty} and {@code io.vertx} at {@code WARN}; the usual appenders set aside.
   */
  private static final class Capture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Map<String, Level> before = new java.util.HashMap<>();
    private final List<Appender<ILoggingEvent>> set = new ArrayList<>();

    Capture() {
      for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "gatehouse", "io.netty", "io.vertx")) {
        before.put(name, ((Logger) LoggerFactory.getLogger(name)).getLevel());
      }
      root.setLevel(Level.INFO);
      ((Logger) LoggerFactory.getLogger("gatehouse")).setLevel(Level.INFO);
      ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.WARN);
      ((Logger) LoggerFactory.getLogger("io.vertx")).setLevel(Level.WARN);
      root.iteratorForAppenders().forEachRemaining(set::add);
      set.forEach(root::detachAppender);
      setContext(root.getLoggerContext());
      start();
      root.addAppender(this);
    }

    @Override
    protected synchronized void append(ILoggingEvent e) {
      lines.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }

    @Override
    public void close() {
      root.detachAppender(this);
      stop();
      set.forEach(root::addAppender);
      before.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
  }
}
