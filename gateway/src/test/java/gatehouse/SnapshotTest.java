package gatehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.server.CurrentSnapshot;
import gatehouse.server.GatewayInstances;
import gatehouse.server.GatewayVerticle;
import gatehouse.server.Snapshot;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.RawHttp;
import gatehouse.testing.RealTime;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two configs compiled into two snapshots over the same {@link Services}, served through one
 * {@link CurrentSnapshot}: the seam a reload swaps. Real listeners, upstreams, key servers and an
 * authorization server on 127.0.0.1.
 */
class SnapshotTest {
  private Vertx vertx;
  private Services services;
  private LocalJwksServer steadyKeys;
  private LocalJwksServer movedKeys;
  private LocalAuthorizationServer as;
  private UpstreamRecorder first;
  private UpstreamRecorder second;
  private GatewayInstances gateway;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
    steadyKeys = LocalJwksServer.start(vertx, TestKeys.jwks(TestKeys.rsa()));
    movedKeys = LocalJwksServer.start(vertx, TestKeys.jwks(TestKeys.rsa()));
    as = LocalAuthorizationServer.start(vertx);
    first = UpstreamRecorder.start(vertx);
    second = UpstreamRecorder.start(vertx);
    services = new Services(vertx, Clock.systemUTC(), SignatureEngine.jdk(), java.util.Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) await(gateway.close());
    await(services.close());
    first.close();
    second.close();
    as.close();
    steadyKeys.close();
    movedKeys.close();
    await(vertx.close());
  }

  @Test
  void anEqualProviderConfigKeepsItsRunningKeySourceAndAChangedOneGetsANewOne() throws Exception {
    Gatehouse.compile(config(first, "api"), services, 1);
    until(() -> steadyKeys.fetches() == 1 && movedKeys.fetches() == 1, "both key sets fetched once");
    Gatehouse.compile(config(first, "api-v2"), services, 2);
    until(() -> movedKeys.fetches() == 2, "the changed provider's new key source fetched");

    assertEquals(1, steadyKeys.fetches(), "provider 'steady' is unchanged: its running key source serves snapshot 2 too");
    assertEquals(2, movedKeys.fetches(), "provider 'moved' changed its audience: a new key source fetched its set");
  }

  @Test
  void aRequestPinnedToTheFirstSnapshotCompletesOnItAfterTheSecondIsCurrent() throws Exception {
    GatehouseConfig config = config(first, "api");
    CurrentSnapshot current = new CurrentSnapshot(Gatehouse.compile(config, services, 1), java.time.Clock.systemUTC());
    Snapshot next = Gatehouse.compile(config(second, "api"), services, 2);
    gateway = await(GatewayInstances.start(vertx, () -> new GatewayVerticle(config, current, Optional.empty(), new gatehouse.server.Drain())));
    int port = config.listen().port();
    String token = "opaque-" + System.nanoTime();
    as.activate(token, new JsonObject().put("active", true).put("sub", "alice").put("exp", System.currentTimeMillis() / 1000 + 3600));

    as.hold();
    CompletableFuture<RawHttp.Response> pinned = CompletableFuture.supplyAsync(
        () -> RawHttp.get(port, "/orders/1", "Authorization: Bearer " + token));
    until(() -> as.callCount() == 1, "the pinned request is at the authorization server");
    current.replace(next);
    as.release();

    assertEquals(200, pinned.get(10, TimeUnit.SECONDS).status());
    assertEquals(1, first.requests().size(), "the request that started on snapshot 1 went to snapshot 1's upstream");
    assertEquals(0, second.requests().size());
    assertEquals(200, RawHttp.get(port, "/orders/2", "Authorization: Bearer " + token).status());
    assertEquals(1, second.requests().size(), "a request that starts now is served by snapshot 2");
    assertEquals(1, as.callCount(), "the introspection provider is unchanged: snapshot 2 answers from its cache");
    assertTrue(services.metrics().scrape().contains("route=\"generation-1\""), "snapshot 1's route was observed");
  }

  private GatehouseConfig config(UpstreamRecorder upstream, String movedAudience) throws Exception {
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: " + freePort() + "}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\"}",
        "auth:",
        "  jwt:",
        "    - {name: steady, issuer: \"" + steadyKeys.issuer() + "\", jwks_uri: \"" + steadyKeys.jwksUri() + "\"}",
        "    - {name: moved, issuer: \"" + movedKeys.issuer() + "\", jwks_uri: \"" + movedKeys.jwksUri() + "\", audiences: [" + movedAudience + "]}",
        "  introspection:",
        "    - name: corp",
        "      endpoint: \"" + as.endpoint() + "\"",
        "      client_id: " + LocalAuthorizationServer.CLIENT_ID,
        "      client_secret: \"" + LocalAuthorizationServer.CLIENT_SECRET + "\"",
        "routes:",
        "  - {id: generation-" + (upstream == first ? 1 : 2) + ", match: {prefix: /}, upstream: app, policy: {jwt: {providers: [corp]}}}",
        "");
    return ConfigLoader.parse("gatehouse.yaml", yaml, Path.of("/etc/gatehouse"), name -> null);
  }

  private static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
      RealTime.pause(Duration.ofMillis(10));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
