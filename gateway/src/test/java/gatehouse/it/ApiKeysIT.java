package gatehouse.it;

import static gatehouse.it.GatewayInvariants.SPOOF;
import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.testing.MutableClock;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TcpProxy;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys end to end: a real gateway with a SQLite (or PostgreSQL) key store, keys made through
 * the admin API and the CLI, requests through the gateway to the recording upstream. Time is a
 * {@link MutableClock}: rate limits and cache TTLs move only when a test says so.
 */
class ApiKeysIT {
  static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";

  private final Vertx vertx = TestVertx.create();
  private final MutableClock clock = MutableClock.start();
  private final UpstreamRecorder upstream = UpstreamRecorder.start(vertx);
  private Gatehouse gateway;
  private TestDatabases.Db db;
  private Path dir;
  private Path configFile;

  @RegisterExtension
  final GatewayInvariants invariants = new GatewayInvariants(() -> upstream);

  private void start(TestDatabases.Db database, String store) throws Exception {
    db = database;
    upstream.replyWith(Reply.echo());
    dir = Files.createTempDirectory("gatehouse-keys-it");
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\", timeout: 5s}",
        "auth:",
        "  api_keys:",
        "    store: \"" + store + "\"",
        "    cache_ttl: 30s",
        "    db_timeout: 1s",
        "    admin_api: {token: \"${ADMIN_TOKEN}\"}",
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {id: write, match: {prefix: /api/orders/write/}, upstream: app, policy: {api_key: {scopes: [orders:write]}}}",
        "  - {id: keys, match: {prefix: /api/}, upstream: app, policy: api_key}",
        "");
    configFile = dir.resolve("gatehouse.yaml");
    // The CLI reads the same file; it needs the store, not the admin API.
    Files.writeString(configFile, yaml.replace("    admin_api: {token: \"${ADMIN_TOKEN}\"}\n", ""));
    GatehouseConfig config = ConfigLoader.parse("gatehouse.yaml", yaml, dir, Map.of("ADMIN_TOKEN", ADMIN_TOKEN)::get);
    gateway = await(Gatehouse.start(config, clock, vertx, false));
  }

  private void startSqlite() throws Exception {
    TestDatabases.Db sqlite = TestDatabases.sqlite();
    start(sqlite, sqlite.store());
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) await(gateway.close());
    upstream.close();
    await(vertx.close());
    if (db != null) db.close();
    if (dir != null) {
      Files.deleteIfExists(configFile);
      Files.deleteIfExists(dir);
    }
  }

  private RawHttp.Response admin(String method, String path, String body, String... headers) {
    List<String> lines = new ArrayList<>(List.of(headers));
    String head = method + " " + path + " HTTP/1.1\r\nHost: admin\r\n" + String.join("", lines.stream().map(h -> h + "\r\n").toList())
        + "Content-Length: " + body.length() + "\r\nConnection: close";
    return RawHttp.send(gateway.adminPort(), head, body.getBytes());
  }

  private JsonObject adminOk(String method, String path, String body, int status) {
    RawHttp.Response r = admin(method, path, body, "Authorization: Bearer " + ADMIN_TOKEN);
    assertEquals(status, r.status(), r.text());
    return new JsonObject(r.text());
  }

  /** A key made through the admin API; registered as a secret that no log line may contain. */
  private JsonObject createKey(String json) {
    JsonObject k = adminOk("POST", "/keys", json, 201);
    invariants.secret(k.getString("key"));
    return k;
  }

  private RawHttp.Response get(String target, String... headers) {
    return RawHttp.get(gateway.port(), target, headers);
  }

  @Test
  void anAdminBodyOverTheLimitIs413AndTheConnectionEndsOnceTheBodyIsRead() throws Exception {
    startSqlite();
    int length = 1_234_567;
    try (RawHttp c = new RawHttp(gateway.adminPort())) {
      c.send("POST /keys HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Length: " + length + "\r\n\r\n");
      c.send(new byte[length]);
      RawHttp.Response r = c.read(true);
      assertEquals(413, r.status(), r.text());
      assertEquals(Optional.of("close"), r.header("Connection"));
      assertTrue(c.closedByServer(), "the body was read and dropped, then the connection ended");
    }
  }

  @Test
  void aKeyMadeThroughTheAdminApiReachesTheUpstreamAsOwnerScopesAndKeyId() throws Exception {
    startSqlite();
    JsonObject k = createKey("{\"owner\": \"acme\", \"scopes\": [\"orders:read\", \"orders:write\"], \"name\": \"ci-bot\"}");
    assertTrue(k.getString("key").startsWith("gkey_"));
    RawHttp.Response r = get("/api/orders/7", "X-API-Key: " + k.getString("key"), "X-Owner-Id: " + SPOOF, "X-Key-Id: " + SPOOF);
    assertEquals(200, r.status());
    Recorded seen = upstream.lastRequest();
    assertEquals(List.of("acme"), seen.headers("X-Owner-Id"));
    assertEquals(List.of("orders:read,orders:write"), seen.headers("X-Scopes"));
    assertEquals(List.of(k.getString("id")), seen.headers("X-Key-Id"));
    assertEquals(List.of(), seen.headers("X-API-Key"));
  }

  @Test
  void aKeyInTheQueryStringIsRemovedBeforeTheUpstreamAndRedactedInTheLog() throws Exception {
    startSqlite();
    String key = createKey("{\"owner\": \"acme\"}").getString("key");
    RawHttp.Response r = get("/api/orders/7?a=1&api_key=" + key + "&b=2");
    assertEquals(200, r.status());
    assertEquals("/api/orders/7?a=1&b=2", upstream.lastRequest().target());
    String redacted = "api_key=[redacted:" + new gatehouse.secret.Secret(key).fingerprint() + "]";
    assertTrue(invariants.awaitLogLine(l -> l.contains(redacted)).contains("/api/orders/7?a=1&" + redacted + "&b=2"));
  }

  @Test
  void missingUnknownRevokedExpiredAndGarbageKeysGetTheIssuesCodes() throws Exception {
    startSqlite();
    JsonObject revoked = createKey("{\"owner\": \"acme\"}");
    JsonObject expiring = createKey("{\"owner\": \"acme\", \"expires_in\": \"1h\"}");
    adminOk("POST", "/keys/" + revoked.getString("id") + "/revoke", "", 200);
    clock.advance(Duration.ofHours(1));

    RawHttp.Response missing = get("/api/x");
    assertEquals(401, missing.status());
    assertEquals("api_key_required", new JsonObject(missing.text()).getString("error"));
    assertEquals(List.of("ApiKey realm=\"gatehouse\""), missing.headers("WWW-Authenticate"));

    String unknown = "gkey_" + "A".repeat(43);
    Set<String> bodies = new HashSet<>();
    for (String key : List.of(revoked.getString("key"), expiring.getString("key"), unknown, "gkey_short", "x".repeat(8000), "gkeyé")) {
      RawHttp.Response r = get("/api/x", "X-API-Key: " + key);
      assertEquals(401, r.status(), key);
      JsonObject body = new JsonObject(r.text());
      body.remove("request_id");
      bodies.add(body.encode() + " " + r.headers("WWW-Authenticate"));
    }
    assertEquals(Set.of("{\"error\":\"invalid_api_key\",\"message\":\"the API key is not valid\"} [ApiKey realm=\"gatehouse\", error=\"invalid_api_key\"]"), bodies);
    assertEquals(0, upstream.requests().size());
  }

  @Test
  void aKeyWithoutTheRoutesScopeIs403() throws Exception {
    startSqlite();
    String key = createKey("{\"owner\": \"acme\", \"scopes\": \"orders:read\"}").getString("key");
    RawHttp.Response r = get("/api/orders/write/1", "X-API-Key: " + key);
    assertEquals(403, r.status());
    assertEquals("insufficient_scope", new JsonObject(r.text()).getString("error"));
  }

  @Test
  void withLimitNExactlyNPassTheNextGets429AndAFullWindowLaterTheyPassAgain() throws Exception {
    startSqlite();
    String key = createKey("{\"owner\": \"acme\", \"rate_limit\": 5}").getString("key");
    for (int i = 4; i >= 0; i--) {
      RawHttp.Response r = get("/api/x", "X-API-Key: " + key);
      assertEquals(200, r.status());
      assertEquals(List.of("5"), r.headers("RateLimit-Limit"));
      assertEquals(List.of(Integer.toString(i)), r.headers("RateLimit-Remaining"));
      assertEquals(List.of("5;w=60"), r.headers("RateLimit-Policy"));
    }
    RawHttp.Response limited = get("/api/x", "X-API-Key: " + key);
    assertEquals(429, limited.status());
    assertEquals("rate_limited", new JsonObject(limited.text()).getString("error"));
    assertEquals(List.of("12"), limited.headers("Retry-After"));
    assertEquals(List.of("0"), limited.headers("RateLimit-Remaining"));
    assertEquals(List.of("60"), limited.headers("RateLimit-Reset"));
    clock.advance(Duration.ofSeconds(60));
    for (int i = 0; i < 5; i++) assertEquals(200, get("/api/x", "X-API-Key: " + key).status());
    assertEquals(429, get("/api/x", "X-API-Key: " + key).status());
    assertEquals(10, upstream.requests().size());
  }

  @Test
  void twoThousandRequestsOnOneKeyFromFiftyConnectionsLetExactlyTheLimitThrough() throws Exception {
    startSqlite();
    String key = createKey("{\"owner\": \"acme\", \"rate_limit\": 1000}").getString("key");
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(50));
    try {
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        all.add(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/api/load/" + i).addHeader("X-API-Key", key))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode()))));
      }
      Map<Integer, Integer> statuses = new java.util.TreeMap<>();
      for (Future<Integer> f : all) statuses.merge(await(f), 1, Integer::sum);
      assertEquals(Map.of(200, 1000, 429, 1000), statuses);
      assertEquals(1000, upstream.requests().size());
      Set<Integer> connections = new HashSet<>();
      upstream.requests().forEach(r -> connections.add(r.peerPort()));
      System.out.println("2000 requests, 50 client connections: " + statuses);
    } finally {
      await(client.close());
    }
  }

  @Test
  void aRevocationThroughTheAdminApiTakesEffectOnTheNextRequest() throws Exception {
    startSqlite();
    JsonObject k = createKey("{\"owner\": \"acme\"}");
    String key = k.getString("key");
    assertEquals(200, get("/api/x", "X-API-Key: " + key).status());
    long t0 = System.nanoTime();
    adminOk("POST", "/keys/" + k.getString("id") + "/revoke", "", 200);
    RawHttp.Response after = get("/api/x", "X-API-Key: " + key);
    long latency = (System.nanoTime() - t0) / 1000;
    assertEquals(401, after.status());
    System.out.println("revocation through the admin API to the first 401: " + latency + " us (no clock advance)");
  }

  @Test
  void aRevocationFromTheCliTakesEffectWithinTheCacheTtlAndTheCliListsAndRotates() throws Exception {
    startSqlite();
    JsonObject k = createKey("{\"owner\": \"acme\", \"scopes\": [\"orders:read\"], \"rate_limit\": 600}");
    String key = k.getString("key");
    assertEquals(200, get("/api/x", "X-API-Key: " + key).status());

    Cli list = Cli.run("keys", "list", "--config", configFile.toString(), "--json");
    assertEquals(0, list.code(), list.err());
    JsonObject listed = new JsonObject(list.out()).getJsonArray("keys").getJsonObject(0);
    assertEquals(List.of(k.getString("id"), "acme", "active", 600), List.of(listed.getString("id"), listed.getString("owner"),
        listed.getString("state"), listed.getInteger("rate_limit")));
    assertFalse(list.out().contains(key));

    Cli revoke = Cli.run("keys", "revoke", k.getString("id"), "--config", configFile.toString());
    assertEquals(0, revoke.code(), revoke.err());
    clock.advance(Duration.ofSeconds(29));
    assertEquals(200, get("/api/x", "X-API-Key: " + key).status(), "cached for cache_ttl on this instance");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(401, get("/api/x", "X-API-Key: " + key).status());

    Cli create = Cli.run("keys", "create", "--config", configFile.toString(), "--owner", "beta", "--scopes", "a,b", "--json");
    assertEquals(0, create.code(), create.err());
    JsonObject made = new JsonObject(create.out());
    invariants.secret(made.getString("key"));
    assertEquals(200, get("/api/x", "X-API-Key: " + made.getString("key")).status());
    assertEquals(List.of("a,b"), upstream.lastRequest().headers("X-Scopes"));

    Cli rotate = Cli.run("keys", "rotate", made.getString("id"), "--grace", "1h", "--config", configFile.toString(), "--json");
    assertEquals(0, rotate.code(), rotate.err());
    JsonObject rotated = new JsonObject(rotate.out());
    invariants.secret(rotated.getString("key"));
    assertEquals(made.getString("id"), rotated.getString("replaces"));
    assertEquals(200, get("/api/x", "X-API-Key: " + rotated.getString("key")).status());
    assertEquals(200, get("/api/x", "X-API-Key: " + made.getString("key")).status(), "the old key works during the grace");

    assertEquals(2, Cli.run("keys", "revoke", "key_nope", "--config", configFile.toString()).code());
  }

  @Test
  void theAdminApiListsAndRotatesAndRefusesMissingOrWrongTokens() throws Exception {
    startSqlite();
    JsonObject k = createKey("{\"owner\": \"acme\"}");
    assertEquals(401, admin("GET", "/keys", "").status());
    assertEquals(401, admin("GET", "/keys", "", "Authorization: Bearer " + ADMIN_TOKEN + "x").status());
    JsonObject listed = adminOk("GET", "/keys?owner=acme", "", 200);
    assertEquals(1, listed.getJsonArray("keys").size());
    assertFalse(listed.encode().contains(k.getString("key")));
    JsonObject rotated = adminOk("POST", "/keys/" + k.getString("id") + "/rotate", "{\"grace\": \"0s\"}", 201);
    invariants.secret(rotated.getString("key"));
    assertEquals(401, get("/api/x", "X-API-Key: " + k.getString("key")).status());
    assertEquals(200, get("/api/x", "X-API-Key: " + rotated.getString("key")).status());
    assertEquals(404, admin("POST", "/keys/key_nope/revoke", "", "Authorization: Bearer " + ADMIN_TOKEN).status());
    RawHttp.Response bad = admin("POST", "/keys", "{\"owner\": \"a b\"}", "Authorization: Bearer " + ADMIN_TOKEN);
    assertEquals(400, bad.status());
    assertEquals("owner must be 1 to 200 printable ASCII characters without spaces", new JsonObject(bad.text()).getString("message"));
  }

  /**
   * A daily quota beside a per-minute limit on PostgreSQL, made and read through the CLI and the
   * admin API: requests the minute limit refuses do not count against the quota, requests over
   * quota take no minute token and get 429 until 00:00 UTC, and the usage shows both, unchanged by
   * reading it.
   */
  @Test
  void aDailyQuotaBesideTheMinuteLimitCountsOnlyAdmittedRequestsUntilMidnightUtcAndUsageShowsBoth() throws Exception {
    TestDatabases.Db pg = TestDatabases.postgres();
    start(pg, pg.store());
    clock.set(Instant.parse("2030-01-31T23:58:00Z"));
    Cli create = Cli.run("keys", "create", "--config", configFile.toString(), "--owner", "acme", "--rate-limit", "3", "--quota", "5/day", "--json");
    assertEquals(0, create.code(), create.err());
    JsonObject k = new JsonObject(create.out());
    invariants.secret(k.getString("key"));
    assertEquals("5/day", k.getString("quota"));
    String id = k.getString("id");
    String key = "X-API-Key: " + k.getString("key");

    for (int i = 0; i < 3; i++) assertEquals(200, get("/api/x", key).status());
    RawHttp.Response minute = get("/api/x", key);
    assertEquals(429, minute.status());
    assertEquals(List.of("20"), minute.headers("Retry-After"), "refused by the minute limit");
    JsonObject usage = adminOk("GET", "/keys/" + id + "/usage", "", 200);
    assertEquals(new JsonObject().put("limit", 3).put("window_seconds", 60).put("remaining", 0).put("reset_seconds", 60), usage.getJsonObject("rate_limit"));
    assertEquals(new JsonObject().put("limit", 5).put("period", "day").put("used", 3).put("remaining", 2)
        .put("window_start", "2030-01-31T00:00:00Z").put("window_end", "2030-02-01T00:00:00Z").put("reset_seconds", 120), usage.getJsonObject("quota"),
        "the request the minute limit refused is not counted");

    clock.advance(Duration.ofMinutes(1));
    RawHttp.Response fourth = get("/api/x", key);
    assertEquals(200, fourth.status());
    assertEquals(List.of("1", "5"), List.of(fourth.header("RateLimit-Remaining").orElseThrow(), fourth.header("RateLimit-Limit").orElseThrow()),
        "the tighter of the minute limit (2 left) and the quota (1 left)");
    assertEquals(200, get("/api/x", key).status());
    RawHttp.Response over = get("/api/x", key);
    assertEquals(429, over.status());
    assertEquals(List.of("60"), over.headers("Retry-After"), "until 00:00 UTC");
    assertEquals(List.of("5"), over.headers("RateLimit-Limit"));
    assertEquals(List.of("0"), over.headers("RateLimit-Remaining"));
    assertEquals(List.of("5;w=86400"), over.headers("RateLimit-Policy"));
    for (int i = 0; i < 3; i++) {
      usage = adminOk("GET", "/keys/" + id + "/usage", "", 200);
      assertEquals(1, usage.getJsonObject("rate_limit").getInteger("remaining"), "requests over quota took no minute token; reading took none either");
      assertEquals(List.of(5, 0), List.of(usage.getJsonObject("quota").getInteger("used"), usage.getJsonObject("quota").getInteger("remaining")));
    }
    clock.set(Instant.parse("2030-01-31T23:59:59.999Z"));
    RawHttp.Response last = get("/api/x", key);
    assertEquals(429, last.status());
    assertEquals(List.of("1"), last.headers("Retry-After"));
    clock.advance(Duration.ofMillis(1));
    assertEquals(200, get("/api/x", key).status(), "a new day at 00:00 UTC");

    Path tokenFile = dir.resolve("admin-token");
    Files.writeString(tokenFile, ADMIN_TOKEN);
    try {
      String url = "http://127.0.0.1:" + gateway.adminPort();
      Cli read = Cli.run("keys", "usage", id, "--config", configFile.toString(), "--admin-url", url, "--admin-token-file", tokenFile.toString(), "--json");
      assertEquals(0, read.code(), read.err());
      JsonObject shown = new JsonObject(read.out()).getJsonObject("quota");
      assertEquals(List.of(1, "2030-02-01T00:00:00Z", "2030-02-02T00:00:00Z"),
          List.of(shown.getInteger("used"), shown.getString("window_start"), shown.getString("window_end")));
      Cli text = Cli.run("keys", "usage", id, "--config", configFile.toString(), "--admin-url", url, "--admin-token-file", tokenFile.toString());
      assertEquals(0, text.code(), text.err());
      assertTrue(text.out().contains("quota:      1 of 5 per day used, 4 left; window 2030-02-01T00:00:00Z to 2030-02-02T00:00:00Z"), text.out());
      assertTrue(text.out().contains("rate limit: 2 of 3 per 60s left"), text.out());
      assertEquals(2, Cli.run("keys", "usage", "key_nope", "--config", configFile.toString(), "--admin-url", url, "--admin-token-file",
          tokenFile.toString()).code());
      Cli noToken = Cli.run("keys", "usage", id, "--config", configFile.toString(), "--admin-url", url);
      assertEquals(1, noToken.code());
      assertTrue(noToken.err().contains("set auth.api_keys.admin_api.token (or give --admin-token-file)"), noToken.err());

      Cli monthly = Cli.run("keys", "change", id, "--config", configFile.toString(), "--quota", "2/month", "--json");
      assertEquals(0, monthly.code(), monthly.err());
      assertEquals("2/month", new JsonObject(monthly.out()).getString("quota"));
      Cli table = Cli.run("keys", "list", "--config", configFile.toString());
      assertTrue(table.out().lines().anyMatch(l -> l.startsWith(id) && l.contains(" 3/m ") && l.contains(" 2/month ")), table.out());
      Cli none = Cli.run("keys", "change", id, "--config", configFile.toString(), "--no-quota", "--json");
      assertEquals(0, none.code(), none.err());
      assertNull(new JsonObject(none.out()).getValue("quota"));
      assertEquals(1, Cli.run("keys", "change", id, "--config", configFile.toString(), "--quota", "5/week").code());
      assertEquals(1, Cli.run("keys", "create", "--config", configFile.toString(), "--owner", "x", "--quota", "0/day").code());
    } finally {
      Files.deleteIfExists(tokenFile);
    }

    JsonObject patched = adminOk("PATCH", "/keys/" + id, "{\"quota\": \"1/month\"}", 200);
    assertEquals("1/month", patched.getString("quota"));
    assertEquals(200, get("/api/x", key).status());
    assertEquals(429, get("/api/x", key).status(), "a monthly quota of 1, from the change on");
    assertEquals(List.of("month", 1), List.of(adminOk("GET", "/keys/" + id + "/usage", "", 200).getJsonObject("quota").getString("period"),
        adminOk("GET", "/keys/" + id + "/usage", "", 200).getJsonObject("quota").getInteger("used")));
    assertNull(adminOk("PATCH", "/keys/" + id, "{\"quota\": null, \"rate_limit\": null}", 200).getValue("quota"));
    assertEquals(new JsonObject().put("id", id).putNull("rate_limit").putNull("quota"), adminOk("GET", "/keys/" + id + "/usage", "", 200));
    assertEquals("quota must be N/day or N/month, N from 1 to 1000000000000",
        adminOk("PATCH", "/keys/" + id, "{\"quota\": \"3/fortnight\"}", 400).getString("message"));
    assertEquals(404, admin("GET", "/keys/key_nope/usage", "", "Authorization: Bearer " + ADMIN_TOKEN).status());
    assertEquals(401, admin("GET", "/keys/" + id + "/usage", "").status());
    assertEquals(405, admin("POST", "/keys/" + id + "/usage", "", "Authorization: Bearer " + ADMIN_TOKEN).status());
  }

  @Test
  void withPostgresqlCachedKeysSurviveAnOutageOthersGet503AndRecoveryNeedsNoRestart() throws Exception {
    TestDatabases.Db pg = TestDatabases.postgres();
    TcpProxy proxy = new TcpProxy(vertx, 5432).start();
    try {
      start(pg, pg.storeVia(proxy.hostPort()));
      String used = createKey("{\"owner\": \"acme\"}").getString("key");
      String unused = createKey("{\"owner\": \"acme\"}").getString("key");
      assertEquals(200, get("/api/x", "X-API-Key: " + used).status());

      proxy.stop();
      clock.advance(Duration.ofSeconds(31));
      assertEquals(200, get("/api/x", "X-API-Key: " + used).status(), "served from the cache");
      RawHttp.Response down = get("/api/x", "X-API-Key: " + unused);
      assertEquals(503, down.status());
      assertEquals("dependency_unavailable", new JsonObject(down.text()).getString("error"));
      assertEquals(List.of("5"), down.headers("Retry-After"));

      proxy.start();
      int status = 0;
      for (int i = 0; i < 40 && status != 200; i++) {
        clock.advance(Duration.ofSeconds(1));
        status = get("/api/x", "X-API-Key: " + unused).status();
      }
      assertEquals(200, status);
    } finally {
      proxy.close();
    }
  }
}
