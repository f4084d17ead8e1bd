package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.cli.Main;
import gatehouse.secret.Secret;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, section 3: a credential the gateway owns never reaches a backend, and no credential
 * reaches a log line. One example per defect found from outside; {@link SecretsNeverLeakIT} states
 * the invariant over random spellings and positions.
 */
class Issue17SecretsIT {
  private static GatewayHarness gw;
  private static TestDatabases.Db db;
  private static String key;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() throws IOException {
    db = TestDatabases.sqlite();
    key = createKey(db.store());
    gw = GatewayHarness.start(keyStore(db.store()), "  - {id: keyed, match: {prefix: /keyed/}, upstream: app, policy: api_key}");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    db.close();
  }

  @BeforeEach
  void echo() {
    gw.upstream.replyWith(Reply.echo());
  }

  /** The {@code auth:} entry for an API-key store at {@code store} (the harness's top-level extra). */
  static String keyStore(String store) {
    return "  api_keys: {store: \"" + store + "\"}";
  }

  /** A new API key in {@code store}, made through the CLI as an operator would. */
  static String createKey(String store) throws IOException {
    Path dir = Files.createTempDirectory("gatehouse-secrets-it");
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"http://127.0.0.1:" + GatewayHarness.closedPort() + "\"}",
        "auth:",
        keyStore(store),
        "routes:",
        "  - {id: keyed, match: {prefix: /keyed/}, upstream: app, policy: api_key}",
        ""));
    StringWriter out = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    int code = cli.execute("keys", "create", "--config", config.toString(), "--owner", "acme", "--json");
    Files.delete(config);
    Files.delete(dir);
    assertEquals(0, code, out.toString());
    return new JsonObject(out.toString()).getString("key");
  }

  private static String fingerprint(String secret) {
    return new Secret(secret).fingerprint();
  }

  private static String accessLine(RawHttp.Response r) {
    String id = r.header("X-Request-Id").orElseThrow();
    return invariants.awaitLogLine(line -> line.startsWith("id=" + id + " "));
  }

  @Test
  void anAccessTokenInTheQueryIsNeitherLoggedNorForwarded() {
    String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x?a=1&access_token=" + token + "&b=2");
    assertEquals(200, r.status());
    assertEquals("/api/public/x?a=1&b=2", gw.upstream.lastRequest().target());
    assertTrue(accessLine(r).contains("target=\"/api/public/x?a=1&access_token=[redacted:" + fingerprint(token) + "]&b=2\""));

    // Beside the token the gateway verified, a second one in the query is not handed on either.
    String other = invariants.secret(gw.token("mallory", Map.of("role", "admin")));
    RawHttp.Response both = RawHttp.get(gw.port(), "/api/orders?Access_Token=" + other, "Authorization: Bearer " + token);
    assertEquals(200, both.status());
    assertEquals("/api/orders", gw.upstream.lastRequest().target());
  }

  @ParameterizedTest
  @ValueSource(strings = {"API_KEY", "Api_Key", "api_key[]", "api_key[0]", "api-key", "apiKey", "api.key", "api%5Fkey", "%61pi_key",
      "api_key%5B%5D"})
  void anApiKeyInAnyQuerySpellingIsNeitherLoggedNorForwarded(String name) {
    invariants.secret(key);
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x?a=1&" + name + "=" + key + "&b=2");
    assertEquals(200, r.status());
    assertEquals("/api/public/x?a=1&b=2", gw.upstream.lastRequest().target());
    assertTrue(accessLine(r).contains(name + "=[redacted:" + fingerprint(key) + "]&b=2"));
  }

  @Test
  void anApiKeyAfterASemicolonIsNeitherLoggedNorForwarded() {
    invariants.secret(key);
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x?a=1;api_key=" + key + "&b=2");
    assertEquals(200, r.status());
    assertEquals("/api/public/x?a=1&b=2", gw.upstream.lastRequest().target());
    assertFalse(accessLine(r).contains(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-API-Key", "x-api-key", "X_API_KEY", "x_Api-kEy"})
  void theApiKeyHeaderIsNotForwardedOnAPublicRoute(String name) {
    invariants.secret(key);
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x", name + ": " + key);
    assertEquals(200, r.status());
    Recorded seen = gw.upstream.lastRequest();
    for (var header : seen.headers()) assertFalse(header.getValue().contains(key), header.getKey());
  }

  @Test
  void aKeyInBothTheHeaderAndTheQueryLeavesNoCopyInTheForwardedTarget() {
    invariants.secret(key);
    RawHttp.Response r = RawHttp.get(gw.port(), "/keyed/x?a=1&api_key=" + key + "&b=2", "X-API-Key: " + key);
    assertEquals(200, r.status(), r.text());
    Recorded seen = gw.upstream.lastRequest();
    assertEquals("/keyed/x?a=1&b=2", seen.target());
    assertEquals(List.of(), seen.headers("X-API-Key"));
    assertEquals(Optional.of("acme"), seen.header("X-Owner-Id"));
  }

  /**
   * The documented choice: {@code Authorization} is the backend's on a public route, where the
   * gateway consumed nothing (as nginx, Envoy's jwt_authn, Kong and Oathkeeper's noop do); it is
   * dropped where the gateway verified it.
   */
  @Test
  void authorizationIsForwardedOnlyWhereTheGatewayDidNotConsumeIt() {
    RawHttp.Response open = RawHttp.get(gw.port(), "/api/public/x", "Authorization: Basic YWxpY2U6cGFzc3dvcmQ=");
    assertEquals(200, open.status());
    assertEquals(Optional.of("Basic YWxpY2U6cGFzc3dvcmQ="), gw.upstream.lastRequest().header("Authorization"));

    String token = invariants.secret(gw.token("alice", Map.of("role", "user")));
    RawHttp.Response verified = RawHttp.get(gw.port(), "/api/orders", "Authorization: Bearer " + token);
    assertEquals(200, verified.status());
    assertEquals(List.of(), gw.upstream.lastRequest().headers("Authorization"));
  }
}
