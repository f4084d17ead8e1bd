package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code gatehouse explain} against a config a real gateway serves: each policy, refused targets,
 * route near misses, JWTs verified with keys from a file and from a local JWKS server, a key
 * store on PostgreSQL, and, the test that keeps explain honest, the headers it says the upstream
 * would receive against what the running gateway sent the recording upstream.
 */
class ExplainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ISSUER = TestTokens.ISSUER;

  private static Vertx vertx;
  private static UpstreamRecorder upstream;
  private static LocalJwksServer idp;
  private static TestDatabases.Db db;
  private static Path dir;
  private static Path config;
  private static Gatehouse gateway;
  private static String apiKey;

  @BeforeAll
  static void start() throws Exception {
    vertx = TestVertx.create();
    upstream = UpstreamRecorder.start(vertx);
    idp = LocalJwksServer.start(vertx, TestKeys.jwks(TestKeys.ec256()));
    db = TestDatabases.postgres();
    dir = Files.createTempDirectory("gatehouse-explain-it");
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "/base\", timeout: 5s}",
        "auth:",
        "  jwt:",
        "    - name: main",
        "      issuer: \"" + ISSUER + "\"",
        "      audiences: [api]",
        "      jwks_file: jwks.json",
        "    - name: remote",
        "      issuer: \"" + idp.issuer() + "\"",
        "      audiences: [api]",
        "      jwks_uri: \"" + idp.jwksUri() + "\"",
        "  api_keys:",
        "    store: \"" + db.store() + "\"",
        "rate_limits:",
        "  - {by: address, requests: 100, per: 10s}",
        "failed_auth_limit: {requests: 20, per: 1m}",
        "routes:",
        "  - {id: health, match: {path: /health}, upstream: app, policy: public}",
        "  - {id: admin, match: {prefix: /api/admin/, methods: [POST]}, upstream: app, policy: {jwt: {roles: [admin]}}}",
        "  - {id: keys, match: {prefix: /api/keys/}, upstream: app, policy: {api_key: {scopes: [orders:read]}}}",
        "  - {id: any, match: {prefix: /api/any/}, upstream: app, policy: any}",
        "  - {id: api, match: {prefix: /api/}, upstream: app, policy: jwt}",
        "");
    config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, yaml);
    gateway = await(Gatehouse.start(ConfigLoader.load(config), Clock.systemUTC(), vertx, false));
    Cli created = Cli.run("keys", "create", "--config", config.toString(), "--owner", "acme", "--scopes", "orders:read", "--json");
    assertEquals(0, created.code(), created.err());
    apiKey = JSON.readTree(created.out()).get("key").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) await(gateway.close());
    upstream.close();
    idp.close();
    await(vertx.close());
    db.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String token(TestKeys.TestKey key, Clock clock, Map<String, Object> claims) {
    TestTokens t = TestTokens.signedBy(key, clock);
    claims.forEach(t::claim);
    return t.sign();
  }

  private static String token(Map<String, Object> claims) {
    return token(TestKeys.rsa(), Clock.systemUTC(), claims);
  }

  /** {@code gatehouse explain --json} with {@code args} after the config; asserts the exit code. */
  private static JsonNode explain(int exit, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("explain", "--config", config.toString(), "--json"));
    all.addAll(List.of(args));
    Cli run = Cli.run(all.toArray(String[]::new));
    assertEquals(exit, run.code(), run.out() + run.err());
    return JSON.readTree(run.out());
  }

  private static String url(String target) {
    return "http://127.0.0.1:" + gateway.port() + target;
  }

  @Test
  void aPublicRouteForwardsAnonymouslyAndStripsReservedHeadersTheClientSent() throws Exception {
    JsonNode e = explain(0, url("/health"), "-H", "X-User-Id: mallory", "-H", "X-User-Role: admin", "-H", "Accept: text/plain");
    assertEquals("parsed", e.at("/target/result").asText());
    assertEquals("/health", e.at("/target/path").asText());
    assertEquals("matched", e.at("/route/result").asText());
    assertEquals("health", e.at("/route/id").asText());
    assertEquals(0, e.at("/route/skipped").size());
    assertEquals("public", e.at("/policy/kind").asText());
    assertEquals("none", e.at("/credential/result").asText());
    assertEquals("not_needed", e.at("/authentication/result").asText());
    assertEquals("anonymous", e.at("/identity_headers/result").asText());
    assertEquals("forward", e.at("/outcome/result").asText());
    assertEquals(0, e.at("/outcome/exit_code").asInt());
    assertEquals("/base/health", e.at("/upstream/target").asText());
    List<String> names = headerNames(e);
    assertFalse(names.contains("x-user-id"), names::toString);
    assertFalse(names.contains("x-user-role"), names::toString);
    assertTrue(names.contains("accept"), names::toString);
    assertEquals(0, e.at("/limits/tokens_taken").asInt());
    assertEquals(1, e.at("/limits/buckets").size(), "the address limit applies");
  }

  @Test
  void aJwtRouteShowsEachVerificationStepTheIdentityAndItsHeaders() throws Exception {
    JsonNode e = explain(0, url("/api/orders"), "-H", "Authorization: Bearer " + token(Map.of("sub", "alice")), "-H", "X-User-Id: mallory");
    assertEquals("api", e.at("/route/id").asText());
    assertEquals("jwt", e.at("/policy/kind").asText());
    assertEquals("found", e.at("/credential/result").asText());
    assertEquals("bearer", e.at("/credential/kind").asText());
    assertEquals("Authorization header", e.at("/credential/where").asText());
    assertEquals("authenticated", e.at("/authentication/result").asText());
    assertEquals("alice", e.at("/authentication/identity/subject").asText());
    for (JsonNode step : e.at("/authentication/steps")) assertEquals("passed", step.get("result").asText(), step.toString());
    assertEquals("jwks_file " + dir.resolve("jwks.json"), e.at("/authentication/keys/source").asText());
    assertEquals("allow", e.at("/authorization/result").asText());
    assertEquals("alice", e.at("/identity_headers/set/X-User-Id").asText());
    assertEquals(List.of("authorization"), lower(e.at("/identity_headers/consumed")));
    List<String> names = headerNames(e);
    assertFalse(names.contains("authorization"), "the verified token is consumed");
    assertEquals(List.of("alice"), values(e, "X-User-Id"), "the client's X-User-Id is replaced, not kept beside");
  }

  @Test
  void anExpiredTokenFailsAtTheClaimsStepAfterItsSignatureVerified() throws Exception {
    Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    JsonNode e = explain(1, url("/api/orders"), "-H", "Authorization: Bearer " + token(TestKeys.rsa(), hourAgo, Map.of()));
    assertEquals("rejected", e.at("/authentication/result").asText());
    assertEquals("expired", e.at("/authentication/code").asText());
    assertEquals(Map.of("signature", "passed", "claims", "failed"), results(e, "signature", "claims"));
    assertEquals("reject", e.at("/outcome/result").asText());
    assertEquals(401, e.at("/outcome/status").asInt());
    assertEquals(1, e.at("/limits/failed_auth").size(), "a refused credential counts against failed_auth_limit");
  }

  @Test
  void aForgedTokenFailsAtTheSignatureStep() throws Exception {
    long exp = Instant.now().plus(Duration.ofMinutes(5)).getEpochSecond();
    String forged = TestTokens.tamper(token(Map.of("sub", "alice")), Map.of("iss", ISSUER, "aud", "api", "sub", "root", "exp", exp));
    JsonNode e = explain(1, url("/api/orders"), "-H", "Authorization: Bearer " + forged);
    assertEquals("bad_signature", e.at("/authentication/code").asText());
    assertEquals(Map.of("key", "passed", "signature", "failed", "claims", "not_reached"), results(e, "key", "signature", "claims"));
  }

  @Test
  void remoteKeysAreFetchedOnceFromTheJwksServerAndForgeriesStillFail() throws Exception {
    int before = idp.fetches();
    String good = token(TestKeys.ec256(), Clock.systemUTC(), Map.of("iss", idp.issuer()));
    JsonNode e = explain(0, url("/api/orders"), "-H", "Authorization: Bearer " + good);
    assertEquals("authenticated", e.at("/authentication/result").asText());
    assertEquals("remote", e.at("/authentication/keys/provider").asText());
    assertTrue(e.at("/authentication/keys/source").asText().contains(idp.jwksUri().toString()), e.at("/authentication/keys").toString());
    assertEquals(1, idp.fetches() - before, "one fetch");

    String other = token(TestKeys.get(TestKeys.Kind.EC_P256, 1), Clock.systemUTC(), Map.of("iss", idp.issuer()));
    JsonNode forged = explain(1, url("/api/orders"), "-H", "Authorization: Bearer " + other);
    assertEquals("rejected", forged.at("/authentication/result").asText());
    assertTrue(List.of("unknown_key", "bad_signature").contains(forged.at("/authentication/code").asText()), forged.at("/authentication").toString());
  }

  @Test
  void offlineRemoteKeysAreNotFetchedAndTheAnswerIsUndetermined() throws Exception {
    int before = idp.fetches();
    String good = token(TestKeys.ec256(), Clock.systemUTC(), Map.of("iss", idp.issuer()));
    JsonNode e = explain(3, url("/api/orders"), "-H", "Authorization: Bearer " + good, "--offline");
    assertEquals(0, idp.fetches() - before);
    assertEquals("unverifiable", e.at("/authentication/result").asText());
    assertEquals(Map.of("signature", "not_reached", "keys", "unavailable"), results(e, "signature", "keys"));
    assertEquals("undetermined", e.at("/outcome/result").asText());
    // A provider with keys in a file needs nothing fetched.
    explain(0, url("/api/orders"), "-H", "Authorization: Bearer " + token(Map.of()), "--offline");
  }

  @Test
  void aMissingRoleIsDeniedByTheAuthorizer() throws Exception {
    JsonNode e = explain(1, url("/api/admin/users"), "-X", "POST", "-H", "Authorization: Bearer " + token(Map.of("role", "user")));
    assertEquals("admin", e.at("/route/id").asText());
    assertEquals("authenticated", e.at("/authentication/result").asText());
    assertEquals("deny", e.at("/authorization/result").asText());
    assertEquals(403, e.at("/outcome/status").asInt());
  }

  @Test
  void aRouteNearMissSaysWhyEachRouteAboveDidNotMatch() throws Exception {
    JsonNode e = explain(1, url("/api/admin/users"));
    assertEquals("api", e.at("/route/id").asText(), "GET is not POST: the catch-all takes it");
    JsonNode skipped = e.at("/route/skipped");
    assertEquals(List.of("health", "admin", "keys", "any"), skipped.findValuesAsText("id"));
    assertEquals("method GET is not one of [POST]", skipped.get(1).get("reasons").get(0).asText());
    assertEquals(1, skipped.get(1).get("reasons").size(), "its prefix matched");
    assertEquals(401, e.at("/outcome/status").asInt());

    JsonNode none = explain(1, url("/nothing"));
    assertEquals("no_route", none.at("/route/result").asText());
    assertEquals(5, none.at("/route/skipped").size());
    assertEquals(404, none.at("/outcome/status").asInt());
  }

  @Test
  void ambiguousTargetsAreRefusedWithTheirReason() throws Exception {
    JsonNode dots = explain(1, url("/a/%2e%2e/b"));
    assertEquals("refused", dots.at("/target/result").asText());
    assertEquals("encoded_dot_segment", dots.at("/target/code").asText());
    assertEquals("not_reached", dots.at("/route/result").asText());
    assertEquals(400, dots.at("/outcome/status").asInt());
    assertEquals(400, RawHttp.get(gateway.port(), "/a/%2e%2e/b").status(), "the gateway agrees");

    JsonNode slashes = explain(1, url("/api//orders"));
    assertEquals("empty_segment", slashes.at("/target/code").asText());
    assertEquals(400, RawHttp.get(gateway.port(), "/api//orders").status(), "the gateway agrees");
  }

  @Test
  void anApiKeyIsLookedUpReadOnlyAndItsScopesDecide() throws Exception {
    JsonNode e = explain(0, url("/api/keys/x?api_key=" + apiKey + "&page=2"));
    assertEquals("api_key", e.at("/policy/kind").asText());
    assertEquals("query parameter api_key", e.at("/credential/where").asText());
    assertEquals("page=2", e.at("/credential/forwarded_query").asText());
    assertEquals("authenticated", e.at("/authentication/result").asText());
    assertEquals("acme", e.at("/authentication/identity/subject").asText());
    assertEquals("/base/api/keys/x?page=2", e.at("/upstream/target").asText(), "the key never reaches the upstream");

    JsonNode unknown = explain(1, url("/api/keys/x"), "-H", "X-API-Key: " + apiKey.substring(0, apiKey.length() - 2) + "zz");
    assertEquals("rejected", unknown.at("/authentication/result").asText());
    assertEquals(401, unknown.at("/outcome/status").asInt());
  }

  @Test
  void explainingAKeyWritesNothingToTheStore() throws Exception {
    Cli created = Cli.run("keys", "create", "--config", config.toString(), "--owner", "quiet", "--json");
    String id = JSON.readTree(created.out()).get("id").asText();
    explain(0, url("/api/any/x"), "-H", "X-API-Key: " + JSON.readTree(created.out()).get("key").asText());
    JsonNode listed = JSON.readTree(Cli.run("keys", "list", "--config", config.toString(), "--owner", "quiet", "--json").out()).get("keys");
    assertEquals(1, listed.size(), listed.toString());
    assertEquals(id, listed.get(0).get("id").asText());
    assertTrue(listed.get(0).get("last_used_at").isNull(), "no last-used time written: " + listed);
  }

  @Test
  void anUnreachableKeyStoreIsSaidToBeUncheckedNotInvalid() throws Exception {
    Path down = dir.resolve("down.yaml");
    int closed = GatewayHarness.closedPort();
    Files.writeString(down, Files.readString(config).replace(db.store(), db.storeVia("127.0.0.1:" + closed)));
    Cli run = Cli.run("explain", "--config", down.toString(), "--json", url("/api/keys/x"), "-H", "X-API-Key: " + apiKey);
    assertEquals(3, run.code(), run.out() + run.err());
    JsonNode e = JSON.readTree(run.out());
    assertEquals("unverifiable", e.at("/authentication/result").asText());
    assertEquals("unavailable", e.at("/authentication/steps/1/result").asText());
  }

  @Test
  void theAnyPolicyTakesATokenOrAKey() throws Exception {
    JsonNode key = explain(0, url("/api/any/x"), "-H", "X-API-Key: " + apiKey);
    assertEquals("any", key.at("/policy/kind").asText());
    assertEquals("api_key", key.at("/credential/kind").asText());
    assertEquals("header X-API-Key", key.at("/credential/where").asText());
    JsonNode jwt = explain(0, url("/api/any/x"), "-H", "Authorization: Bearer " + token(Map.of()));
    assertEquals("bearer", jwt.at("/credential/kind").asText());
    JsonNode both = explain(1, url("/api/any/x"), "-H", "X-API-Key: " + apiKey, "-H", "Authorization: Bearer " + token(Map.of()));
    assertEquals("refused", both.at("/credential/result").asText());
    assertEquals(400, both.at("/outcome/status").asInt());
  }

  /** The checks only a running gateway can make, named in every explanation (JSON and text) and in the docs of explain. */
  static final List<String> RUNTIME_ONLY = List.of("deny_list", "rate_limits", "client_certificate", "circuit_breakers");

  @Test
  void everyExplanationNamesTheRuntimeChecksItDoesNotEvaluateInJsonTextAndTheDocs() throws Exception {
    JsonNode e = explain(0, url("/api/orders"), "-H", "Authorization: Bearer " + token(Map.of("sub", "alice")));
    List<String> checks = new ArrayList<>();
    e.get("not_evaluated").forEach(n -> {
      checks.add(n.get("check").asText());
      assertFalse(n.get("detail").asText().isBlank(), n::toString);
    });
    assertEquals(RUNTIME_ONLY, checks);
    assertTrue(e.at("/not_evaluated/1/detail").asText().contains("429"), "says what the gateway would answer instead");

    Cli text = Cli.run("explain", "--config", config.toString(), url("/health"));
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("not evaluated (only a running gateway knows these"), text.out());
    for (String check : RUNTIME_ONLY) {
      assertTrue(text.out().lines().anyMatch(l -> l.trim().startsWith(check + " ")), check + " in:\n" + text.out());
    }

    String running = Files.readString(gatehouse.testing.Repository.dir("docs").resolve("running.md"));
    String section = running.substring(running.indexOf("## Explaining a decision"));
    section = section.substring(0, section.indexOf("\n## ", 5) < 0 ? section.length() : section.indexOf("\n## ", 5));
    for (String check : RUNTIME_ONLY) assertTrue(section.contains("`" + check + "`"), "docs/running.md, explain: " + check);
  }

  @Test
  void theTextFormSaysTheSameInLines() {
    Cli run = Cli.run("explain", "--config", config.toString(), url("/api/admin/users"));
    assertEquals(1, run.code());
    assertTrue(run.out().contains("skipped admin (line "), run.out());
    assertTrue(run.out().contains("method GET is not one of [POST]"), run.out());
    assertTrue(run.out().contains("outcome   reject: 401 unauthenticated"), run.out());
    assertEquals(2, Cli.run("explain", "--config", config.toString(), "ftp://x/").code(), "a usage error");
    assertEquals(2, Cli.run("explain", "--config", dir.resolve("missing.yaml").toString(), "/").code(), "a config error");
  }

  /**
   * What explain says the upstream receives is what a running gateway sends it: same request, same
   * config, every header compared by name and value (the request id aside, new per request).
   */
  @Test
  void theUpstreamHeadersExplainShowsAreThoseTheGatewaySends() throws Exception {
    String token = token(Map.of("sub", "alice", "role", "admin"));
    List<String[]> cases = List.of(
        new String[] {"GET", "/health", "X-User-Id: mallory", "Accept: */*", "Connection: close, X-Drop-Me", "X-Drop-Me: 1", "X-Forwarded-For: 6.6.6.6"},
        new String[] {"GET", "/api/orders?x=1", "Authorization: Bearer " + token, "X-Scopes: all", "Forwarded: for=6.6.6.6"},
        new String[] {"POST", "/api/admin/users", "Authorization: Bearer " + token, "Content-Length: 0", "Cookie: a=1"},
        new String[] {"GET", "/api/keys/x?api_key=" + apiKey + "&b=2", "User-Agent: test"});
    for (String[] c : cases) {
      List<String> headers = new ArrayList<>(List.of(c).subList(2, c.length));
      StringBuilder head = new StringBuilder(c[0] + " " + c[1] + " HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port());
      headers.forEach(h -> head.append("\r\n").append(h));
      int seen = upstream.requests().size();
      assertEquals(200, RawHttp.send(gateway.port(), head.toString(), new byte[0]).status(), c[1]);
      UpstreamRecorder.Recorded sent = upstream.awaitRequests(seen + 1).get(seen);

      List<String> args = new ArrayList<>(List.of("-X", c[0], url(c[1])));
      headers.forEach(h -> args.addAll(List.of("-H", h)));
      JsonNode e = explain(0, args.toArray(String[]::new));
      assertEquals(sent.target(), e.at("/upstream/target").asText(), c[1]);
      List<String> explained = new ArrayList<>();
      e.at("/upstream/headers").forEach(h -> explained.add(line(h.get("name").asText(), h.get("value").asText())));
      List<String> received = new ArrayList<>();
      sent.headers().forEach(h -> received.add(line(h.getKey(), h.getValue())));
      assertEquals(sortedWithoutRequestId(received), sortedWithoutRequestId(explained), c[1]);
    }
  }

  private static String line(String name, String value) {
    return name.toLowerCase(Locale.ROOT) + ": " + value;
  }

  private static List<String> sortedWithoutRequestId(List<String> lines) {
    // Both vary per request: the request id, and the trace context's new span (and trace) id.
    return lines.stream().filter(l -> !l.startsWith("x-request-id: "))
        .map(l -> l.startsWith("traceparent: ") ? "traceparent: " + l.substring(13).replaceAll("[0-9a-f]", "x") : l).sorted().toList();
  }

  private static List<String> headerNames(JsonNode e) {
    List<String> out = new ArrayList<>();
    e.at("/upstream/headers").forEach(h -> out.add(h.get("name").asText().toLowerCase(Locale.ROOT)));
    return out;
  }

  private static List<String> values(JsonNode e, String name) {
    List<String> out = new ArrayList<>();
    e.at("/upstream/headers").forEach(h -> {
      if (h.get("name").asText().equalsIgnoreCase(name)) out.add(h.get("value").asText());
    });
    return out;
  }

  private static List<String> lower(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText().toLowerCase(Locale.ROOT)));
    return out;
  }

  /** The result of each named verification step. */
  private static Map<String, String> results(JsonNode e, String... steps) {
    Map<String, String> out = new java.util.HashMap<>();
    for (JsonNode s : e.at("/authentication/steps")) {
      if (List.of(steps).contains(s.get("step").asText())) out.put(s.get("step").asText(), s.get("result").asText());
    }
    return out;
  }
}
