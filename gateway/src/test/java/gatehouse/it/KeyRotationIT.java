package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 section 1 through the whole gateway, on a stepped clock: a key the IdP publishes is
 * accepted one {@code jwks_min_refresh} after the fetch that missed it, and while the JWKS endpoint
 * fails an unknown kid gets 503 with {@code Retry-After}, not 401, while known keys keep working.
 */
class KeyRotationIT {
  private final MutableClock clock = MutableClock.start();
  private Vertx vertx;
  private UpstreamRecorder upstream;
  private LocalJwksServer idp;
  private Gatehouse gateway;
  private Path dir;

  @BeforeEach
  void start() throws Exception {
    vertx = TestVertx.create();
    upstream = UpstreamRecorder.start(vertx);
    idp = LocalJwksServer.start(vertx, TestKeys.jwks(TestKeys.rsa()));
    dir = Files.createTempDirectory("gatehouse-rotation");
    Files.writeString(dir.resolve("gatehouse.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\"}",
        "auth:",
        "  jwt:",
        "    - name: idp",
        "      issuer: \"" + TestTokens.ISSUER + "\"",
        "      audiences: [" + TestTokens.AUDIENCE + "]",
        "      jwks_uri: \"" + idp.jwksUri() + "\"",
        "      jwks_min_refresh: 30s",
        "routes:",
        "  - {id: api, match: {prefix: /api/}, upstream: app}",
        ""));
    gateway = Gatehouse.start(ConfigLoader.load(dir.resolve("gatehouse.yaml")), clock, vertx, false)
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (RawHttp.get(gateway.adminPort(), "/ready").status() != 200) {
      assertTrue(System.nanoTime() < deadline, "the first JWKS fetch did not complete");
      Thread.onSpinWait();
    }
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    idp.close();
    upstream.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Files.deleteIfExists(dir.resolve("gatehouse.yaml"));
    Files.deleteIfExists(dir);
  }

  private RawHttp.Response call(TestTokens token) {
    return RawHttp.get(gateway.port(), "/api/orders", "Authorization: Bearer " + token.sign());
  }

  @Test
  void aRotatedKeyIsAcceptedOneMinimumRefreshLaterAndAnOutageAnswers503() {
    assertEquals(200, call(TestTokens.signedBy(TestKeys.rsa(), clock)).status());
    TestKeys.TestKey next = TestKeys.otherRsa();
    idp.setJwks(TestKeys.jwks(TestKeys.rsa(), next));

    RawHttp.Response early = call(TestTokens.signedBy(next, clock));
    assertEquals(401, early.status());
    assertTrue(early.header("WWW-Authenticate").orElseThrow().contains("unknown_key"), early.headers().toString());
    clock.advance(Duration.ofSeconds(30).minusMillis(1));
    assertEquals(401, call(TestTokens.signedBy(next, clock)).status());
    assertEquals(1, idp.fetches());
    clock.advance(Duration.ofMillis(1));
    assertEquals(200, call(TestTokens.signedBy(next, clock)).status());
    assertEquals(2, idp.fetches());

    String ghost = "rotated-during-outage";
    assertEquals(401, call(TestTokens.signedBy(next, clock).kid(ghost)).status());
    idp.failWith(500);
    clock.advance(Duration.ofSeconds(30));
    RawHttp.Response down = call(TestTokens.signedBy(next, clock).kid(ghost));
    assertEquals(503, down.status());
    assertTrue(down.header("Retry-After").isPresent(), down.headers().toString());
    assertEquals(200, call(TestTokens.signedBy(TestKeys.rsa(), clock)).status());
    assertEquals(200, call(TestTokens.signedBy(next, clock)).status());
  }
}
