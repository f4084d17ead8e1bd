package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestRedis;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whole gateways in this process on loopback, as one fleet (issue 21 §4): in front of one echoing
 * {@link UpstreamRecorder}, reading one temp dir that holds {@code jwks.json} of {@link
 * TestKeys#rsa()}, with {@link #ADMIN_TOKEN} as {@code ${ADMIN_TOKEN}}. Each gateway gets a Vert.x
 * of its own (the first shares the upstream's) or, if so built, all share one. Redis is the
 * shared one under {@link #prefix}, whose keys are deleted on close, or servers the test owns.
 * Closing stops the gateways, then what the test handed to {@link #own}, then the rest.
 */
final class Fleet implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";
  /** Under {@code auth:}: RS256 tokens of {@link TestTokens}, keys from the fleet's {@code jwks.json}. */
  static final String JWT = String.join("\n",
      "  jwt:",
      "    - name: main",
      "      issuer: \"" + TestTokens.ISSUER + "\"",
      "      audiences: [" + TestTokens.AUDIENCE + "]",
      "      jwks_file: jwks.json");
  /** Under {@code auth.api_keys:}: the admin API, behind {@link #ADMIN_TOKEN}. */
  static final String ADMIN_API = "    admin_api: {token: \"${ADMIN_TOKEN}\"}";

  final Vertx vertx = TestVertx.create();
  final UpstreamRecorder upstream = UpstreamRecorder.start(vertx);
  final List<Gatehouse> gateways = new ArrayList<>();
  /** This run's key prefix on Redis. */
  final String prefix = TestRedis.uniquePrefix();
  final Path dir;
  private final boolean vertxEach;
  private final List<Vertx> vertxes = new ArrayList<>(List.of(vertx));
  private final List<AutoCloseable> owned = new ArrayList<>();
  private boolean usedShared;

  /** With {@code vertxEach}, every gateway after the first on a new Vert.x; else all on {@link #vertx}. */
  Fleet(boolean vertxEach) {
    this.vertxEach = vertxEach;
    upstream.replyWith(UpstreamRecorder.Reply.echo());
    try {
      dir = Files.createTempDirectory("gatehouse-fleet-it");
      Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A gateway's config: free loopback ports, upstream {@code app} (the recorder), then {@code sections}, one a line. */
  String config(String... sections) {
    return String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\", timeout: 5s}",
        String.join("\n", sections),
        "");
  }

  /** Starts one more gateway on {@code yaml} with its time from {@code clock}. */
  Gatehouse start(Clock clock, String yaml) throws ConfigException {
    Vertx v = vertx;
    if (vertxEach && !gateways.isEmpty()) vertxes.add(v = TestVertx.create());
    Gatehouse g = TestVertx.await(Gatehouse.start(
        ConfigLoader.parse("gatehouse.yaml", yaml, dir, Map.of("ADMIN_TOKEN", ADMIN_TOKEN)::get), clock, v, false));
    gateways.add(g);
    return g;
  }

  /** The {@code redis} section: {@code location} ({@link #url} or {@link #nodes}), {@link #prefix}, then {@code options}. */
  String redis(String location, String options) {
    return "redis: {" + location + ", key_prefix: \"" + prefix + "\", " + options + "}";
  }

  /** The shared Redis's location (the test is skipped without it); its keys under {@link #prefix} go on close. */
  String sharedRedis() {
    TestRedis.requireShared();
    usedShared = true;
    return url(TestRedis.SHARED);
  }

  static String url(String endpoint) {
    return "url: \"" + endpoint + "\"";
  }

  static String nodes(List<String> endpoints) {
    return "nodes: [" + String.join(", ", endpoints.stream().map(e -> "\"" + e + "\"").toList()) + "]";
  }

  /** {@code c}, closed after the gateways, in the reverse order of owning, while {@link #vertx} still runs. */
  <T extends AutoCloseable> T own(T c) {
    owned.add(0, c);
    return c;
  }

  /** A request to {@code g}'s admin API with {@link #ADMIN_TOKEN}. */
  static RawHttp.Response admin(Gatehouse g, String method, String path, String body) {
    String head = method + " " + path + " HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + ADMIN_TOKEN
        + "\r\nContent-Length: " + body.length() + "\r\nConnection: close";
    return RawHttp.send(g.adminPort(), head, body.getBytes());
  }

  /** A key created through {@code g}'s admin API from {@code body}: 201, its JSON (the secret under {@code key}). */
  static JsonObject createKey(Gatehouse g, String body) {
    RawHttp.Response r = admin(g, "POST", "/keys", body);
    assertEquals(201, r.status(), r.text());
    return new JsonObject(r.text());
  }

  static Scrape scrape(Gatehouse g) {
    RawHttp.Response r = RawHttp.get(g.adminPort(), "/metrics");
    assertEquals(200, r.status());
    return new Scrape(r.text());
  }

  @Override
  public void close() throws Exception {
    for (Gatehouse g : gateways) TestVertx.await(g.close());
    for (AutoCloseable c : owned) c.close();
    if (usedShared) TestRedis.deleteKeys(vertx, TestRedis.SHARED, prefix);
    upstream.close();
    for (Vertx v : vertxes) TestVertx.await(v.close());
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
