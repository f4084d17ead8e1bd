package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 section 5: {@code gatehouse run} (a child process) exporting spans to an OTLP endpoint
 * that refuses connections. The SDK's failed exports reach the gateway's log in its format, as
 * logger {@code io.opentelemetry}, and nothing reaches stderr in {@code java.util.logging}'s own
 * format ({@code SEVERE: ...}, a line per failed export). The throttle itself is {@code SdkLogTest}'s.
 */
class OtlpCollectorDownIT {
  /** A line of the gateway's log format (observe.LogConfigurator) from the SDK's exporter. */
  private static final Pattern OUR_LINE = Pattern.compile(
      "(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ERROR io\\.opentelemetry Failed to export \\d+ spans\\.");

  @TempDir Path dir;

  @Test
  void failedExportsAreWrittenToTheGatewaysLogInItsFormatNotByJavaUtilLoggingToStderr() throws Exception {
    Vertx vertx = TestVertx.create();
    UpstreamRecorder upstream = UpstreamRecorder.start(vertx);
    int port = GatewayHarness.closedPort();
    int admin = GatewayHarness.closedPort();
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, String.join("\n",
        "listen: {host: 127.0.0.1, port: " + port + "}",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\"}",
        "routes:",
        "  - {id: r, match: {prefix: /}, upstream: app, policy: public}",
        "tracing: {otlp: {endpoint: \"http://127.0.0.1:" + GatewayHarness.closedPort() + "/v1/traces\"}, sample_ratio: 1.0}",
        ""));
    Path log = dir.resolve("gateway.log");
    Process gateway = ChildProcesses.startGateway(config, log, List.of(), Map.of());
    try {
      ChildProcesses.awaitListening(gateway, log, Duration.ofSeconds(30), port, admin);
      // The SDK retries an export for several seconds before it gives up and logs.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (!ChildProcesses.read(log).contains("Failed to export")) {
        assertTrue(System.nanoTime() < deadline, "no failed export logged within 40 s:\n" + ChildProcesses.read(log));
        assertEquals(200, RawHttp.get(port, "/x").status());
        Thread.sleep(200);
      }
      String text = ChildProcesses.read(log);
      assertTrue(OUR_LINE.matcher(text).find(), "the failed export in the gateway's log format:\n" + text);
      assertFalse(text.contains("SEVERE:"), "not in java.util.logging's format:\n" + text);
      assertFalse(text.contains("ThrottlingLogger doLog"), text);
    } finally {
      ChildProcesses.stop(gateway);
      upstream.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
