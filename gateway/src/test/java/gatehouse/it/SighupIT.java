package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 section 1, end to end: {@code gatehouse run} in a child process reloads its config file
 * on {@code kill -HUP <pid>}. A valid changed file is applied (route {@code /r/} moves from upstream
 * {@code one} to {@code two}; {@code /ready} and the metrics show the new generation and hash); an
 * invalid one changes nothing, is logged as {@code file:line: key: message} and counted as a
 * failed reload. The process survives the signal (the JVM's own SIGHUP action is to exit).
 */
class SighupIT {
  private Vertx vertx;
  private UpstreamRecorder one;
  private UpstreamRecorder two;
  private Process gateway;
  private int port;
  private int adminPort;
  private Path config;
  private Path log;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    vertx = TestVertx.create();
    one = UpstreamRecorder.start(vertx);
    two = UpstreamRecorder.start(vertx);
    one.replyWith(Reply.status(200).body("one"));
    two.replyWith(Reply.status(200).body("two"));
    port = freePort();
    adminPort = freePort();
    config = dir.resolve("gatehouse.yaml");
    log = dir.resolve("gateway.log");
    Files.writeString(config, config("one"));
    gateway = ChildProcesses.startGateway(config, log, List.of(), Map.of());
    ChildProcesses.awaitListening(gateway, log, Duration.ofSeconds(30), port, adminPort);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) ChildProcesses.stop(gateway);
    one.close();
    two.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Route {@code /r/} to {@code upstream}, at line 8. */
  private String config(String upstream) {
    return String.join("\n",
        "listen: {host: 127.0.0.1, port: " + port + "}",
        "admin: {host: 127.0.0.1, port: " + adminPort + "}",
        "upstreams:",
        "  one: {url: \"" + one.url() + "\"}",
        "  two: {url: \"" + two.url() + "\"}",
        "access_log: {target: access.log}",
        "routes:",
        "  - {id: r, match: {prefix: /r/}, upstream: " + upstream + ", policy: public}",
        "");
  }

  @Test
  void aValidChangedFileIsAppliedOnSighupAndReadyAndMetricsShowItsGenerationAndHash() throws Exception {
    assertEquals("one", RawHttp.get(port, "/r/a").text());
    assertEquals(new JsonObject().put("generation", 1).put("sha256", sha256(config)), ready().getJsonObject("config"));
    Files.writeString(config, config("two"));

    ChildProcesses.signal(gateway.pid(), "HUP");

    awaitTrue(() -> ready().getJsonObject("config").getLong("generation") == 2, "generation 2 in /ready");
    assertEquals(new JsonObject().put("generation", 2).put("sha256", sha256(config)), ready().getJsonObject("config"));
    assertEquals("two", RawHttp.get(port, "/r/b").text(), "the changed route answers from the other upstream");
    String metrics = metrics();
    assertTrue(metrics.contains("gatehouse_config_reloads_total{result=\"success\"} 1.0"), metrics);
    assertTrue(metrics.contains("gatehouse_config_generation 2.0"), metrics);
    assertTrue(metrics.contains("gatehouse_config_hash{sha256=\"" + sha256(config) + "\"} 1.0"), metrics);
    assertTrue(gateway.isAlive(), "SIGHUP did not stop the gateway");
    assertTrue(ChildProcesses.read(log).contains("config reloaded (SIGHUP): generation 2, sha256 " + sha256(config)), ChildProcesses.read(log));
  }

  @Test
  void anInvalidFileChangesNothingItsErrorIsLoggedAtItsLineAndTheFailureIsCounted() throws Exception {
    String served = sha256(config);
    Files.writeString(config, config("nowhere"));

    ChildProcesses.signal(gateway.pid(), "HUP");

    awaitTrue(() -> metrics().contains("gatehouse_config_reloads_total{result=\"failure\"} 1.0"), "the failed reload counted");
    assertEquals("one", RawHttp.get(port, "/r/a").text(), "the old config keeps serving");
    assertEquals(new JsonObject().put("generation", 1).put("sha256", served), ready().getJsonObject("config"));
    String metrics = metrics();
    assertTrue(metrics.contains("gatehouse_config_reloads_total{result=\"success\"} 0.0"), metrics);
    assertTrue(metrics.contains("gatehouse_config_generation 1.0"), metrics);
    awaitTrue(() -> ChildProcesses.read(log).contains(config + ":8: routes[0].upstream: "), "the error logged as file:line: key: message");
    String text = ChildProcesses.read(log);
    assertTrue(text.contains("config reload (SIGHUP) failed; still serving generation 1:"), text);
    assertTrue(gateway.isAlive(), "SIGHUP did not stop the gateway");
    assertFalse(text.contains("config reloaded"), text);
  }

  private JsonObject ready() {
    return new JsonObject(RawHttp.get(adminPort, "/ready").text());
  }

  private String metrics() {
    return RawHttp.get(adminPort, "/metrics").text();
  }

  private void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(gateway.isAlive(), "the gateway exited while waiting for " + what + ":\n" + ChildProcesses.read(log));
      assertTrue(System.nanoTime() < deadline, "not within 15 s: " + what + "\n" + ChildProcesses.read(log));
      Thread.sleep(50);
    }
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
