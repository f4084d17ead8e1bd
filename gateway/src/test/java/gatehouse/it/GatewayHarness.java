package gatehouse.it;

import static gatehouse.testing.TestVertx.await;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway on 127.0.0.1 with a free port, in front of the suite's {@link UpstreamRecorder},
 * trusting RS256 tokens from {@link TestKeys#rsa()}. Closing it stops everything it started.
 */
final class GatewayHarness implements AutoCloseable {
  final Vertx vertx;
  final UpstreamRecorder upstream;
  final Gatehouse gateway;
  final Clock clock = Clock.systemUTC();
  private final Path dir;

  private GatewayHarness(Vertx vertx, UpstreamRecorder upstream, Gatehouse gateway, Path dir) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.gateway = gateway;
    this.dir = dir;
  }

  /** The standard routes of the end-to-end tests, plus {@code extraRoutes} (YAML list items) first. */
  static GatewayHarness start(String extraTopLevel, String extraRoutes) {
    return start(extraTopLevel, extraRoutes, false);
  }

  /** As {@link #start(String, String)}, with cleartext HTTP/2 on the listener when {@code h2c}. */
  static GatewayHarness start(String extraTopLevel, String extraRoutes, boolean h2c) {
    return start("", extraTopLevel, extraRoutes, h2c);
  }

  /** As {@link #start(String, String, boolean)}, with {@code extraUpstreams} (YAML map entries) beside app and down. */
  static GatewayHarness start(String extraUpstreams, String extraTopLevel, String extraRoutes, boolean h2c) {
    return start(Clock.systemUTC(), extraUpstreams, extraTopLevel, extraRoutes, h2c);
  }

  /** As {@link #start(String, String, String, boolean)}, with the gateway's time from {@code gatewayClock}. */
  static GatewayHarness start(Clock gatewayClock, String extraUpstreams, String extraTopLevel, String extraRoutes, boolean h2c) {
    Vertx vertx = TestVertx.create();
    return start(gatewayClock, vertx, UpstreamRecorder.start(vertx), extraUpstreams, extraTopLevel, extraRoutes, h2c);
  }

  private static GatewayHarness start(Clock gatewayClock, Vertx vertx, UpstreamRecorder upstream, String extraUpstreams,
      String extraTopLevel, String extraRoutes, boolean h2c) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("gatehouse-it");
      Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
      String yaml = String.join("\n",
          "listen: {host: 127.0.0.1, port: 0, h2c: " + h2c + "}",
          "admin: {host: 127.0.0.1, port: 0}",
          "upstreams:",
          "  app: {url: \"" + upstream.url() + "\", timeout: 5s}",
          "  down: {url: \"http://127.0.0.1:" + closedPort() + "\", connect_timeout: 1s}",
          extraUpstreams,
          "auth:",
          "  jwt:",
          "    - name: main",
          "      issuer: \"" + TestTokens.ISSUER + "\"",
          "      audiences: [" + TestTokens.AUDIENCE + "]",
          "      jwks_file: jwks.json",
          extraTopLevel,
          GatewayInvariants.ACCESS_LOG_YAML,
          "routes:",
          extraRoutes,
          "  - {id: health, match: {path: /health}, upstream: app, policy: public}",
          "  - {id: public, match: {prefix: /api/public/}, upstream: app, policy: public}",
          "  - {id: admin, match: {prefix: /api/admin/}, upstream: app, policy: {jwt: {roles: [admin]}}}",
          "  - {id: any, match: {prefix: /api/any/}, upstream: app, policy: any}",
          "  - {id: down, match: {prefix: /down/}, upstream: down, policy: public}",
          "  - {id: slow, match: {prefix: /slow/}, upstream: app, policy: public, timeout: 300ms}",
          "  - {id: big, match: {prefix: /big/}, upstream: app, policy: public, max_body: 1GiB}",
          "  - {id: small, match: {prefix: /small/}, upstream: app, policy: public, max_body: 1KiB}",
          "  - {id: rewrite, match: {prefix: /svc/orders/}, upstream: app, policy: public, strip_prefix: /svc/orders, add_prefix: /v2}",
          "  - {id: api, match: {prefix: /api/}, upstream: app}",
          "");
      Files.writeString(dir.resolve("gatehouse.yaml"), yaml);
      GatehouseConfig config = ConfigLoader.load(dir.resolve("gatehouse.yaml"));
      Gatehouse gateway = Gatehouse.start(config, gatewayClock, vertx, false)
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      return new GatewayHarness(vertx, upstream, gateway, dir);
    } catch (Exception e) {
      upstream.close();
      vertx.close();
      deleteFiles(dir);
      throw new AssertionError("the gateway did not start", e);
    }
  }

  static GatewayHarness start() {
    return start("", "");
  }

  /**
   * The Vert.x and upstream of a gateway that a test starts later, with a config of its own, for a
   * {@link GatewayInvariants} field that must name the upstream first. Closing it stops what was
   * started.
   */
  static final class Deferred implements AutoCloseable {
    final Vertx vertx = TestVertx.create();
    final UpstreamRecorder upstream = UpstreamRecorder.start(vertx);
    private GatewayHarness started;

    /** As {@link GatewayHarness#start(String, String)}, in front of {@link #upstream}; the harness then owns both. */
    GatewayHarness start(String extraTopLevel, String extraRoutes) {
      started = GatewayHarness.start(Clock.systemUTC(), vertx, upstream, "", extraTopLevel, extraRoutes, false);
      return started;
    }

    @Override
    public void close() {
      if (started != null) {
        started.close();
      } else {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
      }
    }
  }

  int port() {
    return gateway.port();
  }

  /** Rewrites the config file with {@code edit} (of its text) and reloads it, as {@code POST /reload} does; the reload's result. */
  gatehouse.server.Reloads.Result reload(java.util.function.UnaryOperator<String> edit) {
    try {
      Path file = dir.resolve("gatehouse.yaml");
      Files.writeString(file, edit.apply(Files.readString(file)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return await(gateway.reloads().reload("test"));
  }

  /** A valid RS256 token for {@code subject} with {@code claims}. */
  String token(String subject, Map<String, Object> claims) {
    TestTokens t = TestTokens.signedBy(TestKeys.rsa(), clock).claim("sub", subject);
    claims.forEach(t::claim);
    return t.sign();
  }

  @Override
  public void close() {
    try {
      gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      upstream.close();
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
      deleteFiles(dir);
    }
  }

  private static void deleteFiles(Path dir) {
    if (dir == null) return;
    try {
      Files.deleteIfExists(dir.resolve("gatehouse.yaml"));
      Files.deleteIfExists(dir.resolve("jwks.json"));
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  /** A port nothing listens on: bound, noted, released. */
  static int closedPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
