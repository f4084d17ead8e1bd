package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20, §3: a gateway in a child JVM with 256 descriptors ({@code prlimit}), flooded with
 * connections that never send a byte. It must stay up, not spin, log a bounded number of lines,
 * serve a canary once the flood is gone, and close connections beyond {@code
 * limits.max_connections} as soon as they are accepted; on the default transport and on the JDK's
 * NIO ({@code runtime.transport: nio}, also what {@code auto} falls back to).
 */
class DescriptorLimitIT {
  private static final int DESCRIPTORS = 256;
  private static final int FLOOD = 400;

  @TempDir Path dir;
  private Vertx vertx;
  private UpstreamRecorder upstream;
  private Process gateway;
  private final List<Socket> flood = new ArrayList<>();

  @BeforeEach
  void upstream() {
    vertx = TestVertx.create();
    upstream = UpstreamRecorder.start(vertx);
  }

  @AfterEach
  void stop() {
    closeFlood();
    if (gateway != null) ChildProcesses.stop(gateway);
    upstream.close();
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @ParameterizedTest(name = "runtime.transport: {0}")
  @ValueSource(strings = {"auto", "nio"})
  @Timeout(30)
  void atTheDescriptorLimitAcceptingPausesInsteadOfSpinningAndACanaryGetsThroughAfterwards(String transport) throws Exception {
    // A cap above the descriptor limit: the descriptors run out first, which is what is tested here.
    int port = startGateway(transport, "limits: {max_connections: 100000}");
    long linesBefore = lines();

    openFlood(port);
    long cpuBefore = cpuTicks();
    Thread.sleep(5000);
    long cpu = cpuTicks() - cpuBefore;
    assertTrue(gateway.isAlive(), "the gateway is alive at the descriptor limit");
    // A spinning accept loop burns more than a core (190 to 600 ticks in these 5 s before issue 20).
    assertTrue(cpu < 100, "CPU time in 5 s at the descriptor limit, in clock ticks: " + cpu + "\n" + tail());
    assertTrue(log().contains("Too many open files"), "the descriptors did run out:\n" + tail());

    closeFlood();
    assertEquals(200, canary(port), "the canary, once the flood is gone");
    long lines = lines() - linesBefore;
    // One line per 10 s window and kind, not one per failed accept (3.1 million lines in 5 s before).
    assertTrue(lines <= 10, lines + " log lines for " + FLOOD + " connections at the limit:\n" + tail());
  }

  @ParameterizedTest(name = "runtime.transport: {0}")
  @ValueSource(strings = {"auto", "nio"})
  @Timeout(30)
  void connectionsBeyondMaxConnectionsAreClosedAtOnceWhenNoneIsIdleAndTheOthersAreServed(String transport) throws Exception {
    int port = startGateway(transport, "limits: {max_connections: 20}");
    upstream.replyWith(UpstreamRecorder.Reply.status(200).afterDelay(Duration.ofSeconds(6)));
    List<Socket> held = new ArrayList<>();
    int before = upstream.requests().size();
    try {
      // Each held connection has a request in flight: none may be evicted for a newcomer.
      // Each is opened once the one before has reached the upstream: a connection whose head the
      // gateway has not read yet counts as idle, and the 20th, at the cap, would evict it.
      for (int i = 0; i < 20; i++) {
        Socket s = connect(port);
        s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes());
        held.add(s);
        long until = System.nanoTime() + 4_000_000_000L;
        while (upstream.requests().size() < before + i + 1 && System.nanoTime() < until) Thread.sleep(5);
        assertEquals(before + i + 1, upstream.requests().size(), "held request " + i + " reached the upstream:\n" + tail());
      }
      for (int i = 0; i < 10; i++) {
        try (Socket extra = connect(port)) {
          extra.setSoTimeout(2000);
          assertEquals(-1, read(extra), "a connection beyond the cap is closed without an answer:\n" + tail());
        }
      }
      for (Socket s : held) {
        s.setSoTimeout(15_000);
        String answer = new String(s.getInputStream().readAllBytes());
        assertTrue(answer.startsWith("HTTP/1.1 200"), "a connection within the cap is served: " + answer);
      }
    } finally {
      for (Socket s : held) s.close();
    }
    upstream.replyWith(UpstreamRecorder.Reply.status(200));
    assertEquals(200, canary(port), "a new connection, once the others closed");
    assertTrue(log().contains("limits.max_connections (20), too few of them idle"), "the refusals are logged, throttled:\n" + tail());
  }

  /**
   * The attack of issue 20's abuse suite ({@code DescriptorExhaustion}), small: connections that
   * send nothing fill the cap and are held. New clients must still be served, each evicting the
   * connection idle longest, and a request in flight on a connection held at the cap (its body half
   * sent) must complete. Before eviction, every new connection was closed as soon as accepted.
   */
  @ParameterizedTest(name = "runtime.transport: {0}")
  @ValueSource(strings = {"auto", "nio"})
  @Timeout(60)
  void atTheCapANewConnectionEvictsTheOneIdleLongestAndRequestsInFlightComplete(String transport) throws Exception {
    int cap = 40;
    int port = startGateway(transport, "limits: {max_connections: " + cap + "}");
    upstream.replyWith(UpstreamRecorder.Reply.echo());
    Socket inFlight = connect(port);
    inFlight.getOutputStream().write(("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n"
        + "Content-Type: text/plain\r\nConnection: close\r\n\r\nhello").getBytes());
    Thread.sleep(200);
    // More idle connections than the cap, held: without eviction they fill it for good.
    for (int i = 0; i < cap * 3 / 2; i++) flood.add(connect(port));
    Thread.sleep(300);
    int canaries = 200;
    int ok = 0;
    for (int i = 0; i < canaries; i++) {
      try {
        if (RawHttp.get(port, "/health").status() == 200) ok++;
      } catch (AssertionError refused) {
        // counted as a miss
      }
    }
    assertTrue(ok >= canaries * 99 / 100, ok + " of " + canaries + " new connections served with the cap full of idle ones:\n" + tail());
    inFlight.getOutputStream().write("world".getBytes());
    inFlight.setSoTimeout(5000);
    String answer = new String(inFlight.getInputStream().readAllBytes());
    inFlight.close();
    assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("\"bodyBytes\":10"),
        "the request in flight at the cap completes: " + answer + "\n" + tail());
    assertTrue(log().contains("idle client connections are closed to make room for new ones"), "evictions are logged, throttled:\n" + tail());
    long guardLines = log().lines().filter(l -> l.contains("AcceptGuard")).count();
    assertTrue(guardLines <= 2, guardLines + " lines about the cap for " + canaries + " evictions, one per window and kind:\n" + tail());
  }

  /**
   * A connect storm at the cap: one thread opens idle connections as fast as it can, while a canary
   * sends requests one after another, each on a new connection. Every canary must be served: at
   * the cap the listener keeps the connection it accepted, evicts an idle one for it, and stops
   * accepting until the evicted ones have closed, so new clients wait in the kernel's backlog.
   * Before, a connection accepted at the cap while evictions were still closing was closed at
   * once, and a canary among them saw a reset (3–8% in the abuse suite); on io_uring, the
   * multishot accept also took hundreds of connections past the cap, each closed at once.
   *
   * <p>The target is the abuse suite's, at least 99% of the canaries (over at least 100): a canary
   * accepted but whose request the gateway has not read yet counts as idle (it has sent nothing, as
   * nginx counts a connection waiting for its first request) and, once it is the oldest idle one,
   * can be evicted; its unread request is then reset. One canary of 50 was, once in CI
   * (2026-12-07, JDK 17, io_uring), with the machine busy.
   */
  // nio too: it used to accept up to 16 connections per wake-up before handing them on, so the stop
  // at the cap came late and 1 canary of 50 was closed at once in two CI runs (Temurin 25); its
  // listener now accepts one at a time (GuardedTransport).
  @ParameterizedTest(name = "runtime.transport: {0}")
  @ValueSource(strings = {"auto", "nio"})
  @Timeout(90)
  void inAConnectStormAtTheCapNewClientsWaitInTheBacklogInsteadOfBeingClosed(String transport) throws Exception {
    int cap = 40;
    int port = startGateway(transport, "limits: {max_connections: " + cap + "}");
    int stormSize = cap * 10;
    Thread storm = new Thread(() -> {
      try {
        while (flood.size() < stormSize) flood.add(connect(port));
      } catch (IOException backlogFull) {
        // enough of a storm
      }
    }, "connect-storm");
    storm.start();
    int sent = 0;
    List<String> failed = new ArrayList<>();
    while (storm.isAlive() || sent < 100) {
      sent++;
      try {
        int status = RawHttp.get(port, "/health").status();
        if (status != 200) failed.add(Integer.toString(status));
      } catch (AssertionError e) {
        failed.add(String.valueOf(e.getCause()));
      }
    }
    storm.join();
    assertEquals(stormSize, flood.size(), "the storm's connections");
    assertTrue(failed.size() * 100 <= sent, failed.size() + " of " + sent + " canaries failed in a storm of " + stormSize
        + " connections: " + failed.subList(0, Math.min(5, failed.size())) + "\n" + tail());
    // Every connection over the cap had an idle one to evict: none was closed as soon as accepted,
    // which only happens when one read of the listener takes more than the margin over the cap.
    assertFalse(log().contains("closed as soon as accepted"), "connections closed at once in the storm:\n" + tail());
  }

  /** Starts {@code gatehouse run} on {@code transport} under a descriptor limit, with {@code limits} added; its gateway port. */
  private int startGateway(String transport, String limits) throws Exception {
    int port = GatewayHarness.closedPort();
    int admin = GatewayHarness.closedPort();
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: " + port + "}",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\", timeout: 15s}",
        limits,
        "runtime: {transport: " + transport + "}",
        "routes:",
        "  - {id: health, match: {path: /health}, upstream: app, policy: public}",
        "");
    Files.writeString(dir.resolve("gatehouse.yaml"), yaml);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = List.of("prlimit", "--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS, java.toString(),
        "-cp", ReadmeIT.testClassPath(), "gatehouse.cli.Main", "run", "--config", dir.resolve("gatehouse.yaml").toString());
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("gateway.log").toFile());
    pb.environment().put("GATEHOUSE_TEST_LOG_LEVEL", "WARN");
    gateway = pb.start();
    // 30 s: on a loaded 2-core machine a JVM on the test class path has taken more than 15 s to start.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ChildProcesses.listening(port)) {
      assertTrue(gateway.isAlive(), "the gateway exited:\n" + tail());
      assertTrue(System.nanoTime() < deadline, "the gateway did not listen within 30 s:\n" + tail());
      Thread.sleep(100);
    }
    // A first request loads the request path's classes (which takes descriptors) and warms it up;
    // the pause lets the cold start's compilation finish and these connections close.
    assertEquals(200, RawHttp.get(port, "/health").status(), "the canary, before the test");
    Thread.sleep(2000);
    return port;
  }

  private void openFlood(int port) throws IOException {
    // Connects complete in the kernel's backlog whether or not the gateway accepts them.
    for (int i = 0; i < FLOOD; i++) flood.add(connect(port));
  }

  private void closeFlood() {
    for (Socket s : flood) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    flood.clear();
  }

  /** The canary's status: GET /health on a new connection, retried for up to 5 s while connections are refused. */
  private int canary(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    AssertionError last = null;
    while (System.nanoTime() < deadline) {
      try {
        return RawHttp.get(port, "/health").status();
      } catch (AssertionError e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the canary never got an answer:\n" + tail(), last);
  }

  private static Socket connect(int port) throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port);
  }

  private static int read(Socket s) throws IOException {
    try {
      InputStream in = s.getInputStream();
      return in.read();
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (IOException reset) {
      return -1;
    }
  }

  /** The child JVM's user and system CPU time, in clock ticks (/proc/PID/stat fields 14 and 15). */
  private long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(gateway.pid()), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private String log() {
    return ChildProcesses.read(dir.resolve("gateway.log"));
  }

  private long lines() {
    return log().lines().filter(l -> !l.startsWith("\t") && !l.startsWith("Caused by") && !l.startsWith("io.") && !l.startsWith("java.")).count();
  }

  private String tail() {
    String log = log();
    return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
  }
}
