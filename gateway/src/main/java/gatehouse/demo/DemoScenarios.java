package gatehouse.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The demo's config and the requests that show what the gateway does, each checked before it is shown. */
public final class DemoScenarios {
  private final int port;
  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final List<Scenario> scenarios = new ArrayList<>();

  /** {@code demoKey}: an API key made for the demo (owner {@code acme}, scope {@code orders:read}). */
  public DemoScenarios(DemoIssuer issuer, int port, String demoKey) {
    this.port = port;
    tokens.put("DEMO_KEY", demoKey);
    tokens.put("USER_TOKEN", issuer.token("alice", "user", "alice@example.com"));
    tokens.put("ADMIN_TOKEN", issuer.token("bob", "admin", "bob@example.com"));
    tokens.put("JOSE_TOKEN", issuer.token("José", "user", "josé@example.com"));
    tokens.put("EXPIRED_TOKEN", issuer.expiredToken("alice", "user", "alice@example.com"));
    tokens.put("FORGED_TOKEN", issuer.forgedToken("mallory", "admin", "mallory@example.com"));
    tokens.put("OPAQUE_TOKEN", issuer.opaqueToken("carol", "orders:read"));
    add("A user's token: 200, identity headers at the echo, Authorization not forwarded",
        "/api/orders/42", Map.of("Authorization", "Bearer $USER_TOKEN"), 200,
        body -> "alice".equals(header(body, "X-User-Id")) && header(body, "Authorization") == null);
    add("No token: 401 with a Bearer challenge", "/api/orders/42", Map.of(), 401, body -> true);
    add("An expired token: 401 invalid_token", "/api/orders/42", Map.of("Authorization", "Bearer $EXPIRED_TOKEN"), 401, body -> true);
    add("A token signed by another key: 401 invalid_token", "/api/orders/42", Map.of("Authorization", "Bearer $FORGED_TOKEN"), 401, body -> true);
    add("A user on an admin route: 403 missing_role", "/api/admin/users", Map.of("Authorization", "Bearer $USER_TOKEN"), 403, body -> true);
    add("An admin on the admin route: 200", "/api/admin/users", Map.of("Authorization", "Bearer $ADMIN_TOKEN"), 200,
        body -> "admin".equals(header(body, "X-User-Role")));
    add("A user named José: X-User-Id is UTF-8 in %XX escapes (Jos%C3%A9), which any URL decoder reads back",
        "/api/orders/42", Map.of("Authorization", "Bearer $JOSE_TOKEN"), 200,
        body -> "Jos%C3%A9".equals(header(body, "X-User-Id")) && "jos%C3%A9@example.com".equals(header(body, "X-User-Email")));
    add("A spoofed X-User-Id on a public route: dropped before the upstream", "/api/public/hello",
        Map.of("X-User-Id", "admin", "X_User_Role", "admin"), 200,
        body -> header(body, "X-User-Id") == null && header(body, "X_User_Role") == null);
    add("An opaque token: introspected at the issuer, 200 with identity headers from its answer", "/api/orders/42",
        Map.of("Authorization", "Bearer $OPAQUE_TOKEN"), 200,
        body -> "carol".equals(header(body, "X-User-Id")) && "orders:read".equals(header(body, "X-Scopes")));
    add("The opaque token on a route that needs scope reports:read: 403 insufficient_scope", "/api/reports/q1",
        Map.of("Authorization", "Bearer $OPAQUE_TOKEN"), 403, body -> "insufficient_scope".equals(body.getString("error")));
    add("An opaque token the issuer never issued: 401 invalid_token (inactive)", "/api/orders/42",
        Map.of("Authorization", "Bearer not-a-token-the-issuer-knows"), 401, body -> "invalid_token".equals(body.getString("error")));
    add("A path that tries to slip past the admin policy: 400", "/api/public/%2e%2e/admin/users", Map.of(), 400, body -> true);
    add("An API key: 200, X-Owner-Id, X-Scopes and X-Key-Id at the echo, the key not forwarded", "/partners/orders",
        Map.of("X-API-Key", "$DEMO_KEY"), 200,
        body -> "acme".equals(header(body, "X-Owner-Id")) && "orders:read".equals(header(body, "X-Scopes"))
            && header(body, "X-Key-Id") != null && header(body, "X-API-Key") == null);
    add("An API key in the query string: removed before the echo sees the URL", "/partners/orders?page=2&api_key=$DEMO_KEY",
        Map.of(), 200, body -> "/partners/orders?page=2".equals(body.getString("target")));
    add("No API key: 401 api_key_required", "/partners/orders", Map.of(), 401, body -> true);
    add("A mistyped API key: 401 invalid_api_key, refused by its checksum without a lookup", "/partners/orders",
        Map.of("X-API-Key", "gkey_0000000000000000000000000000000000000000000000000"), 401, body -> true);
  }

  /** The demo's YAML: what a user would write for the same setup. */
  public static String config(int port, int adminPort, int echoPort, int issuerPort, String clientSecret) {
    // The key store is a SQLite file beside this config, in the demo's temp dir.
    return String.join("\n",
        "# Written by `gatehouse demo`; the same file works with `gatehouse run --config`.",
        "listen: {host: 127.0.0.1, port: " + port + "}",
        "admin: {host: 127.0.0.1, port: " + adminPort + "}",
        "upstreams:",
        "  echo: {url: \"http://127.0.0.1:" + echoPort + "\"}",
        "auth:",
        "  jwt:",
        "    - name: demo",
        "      issuer: \"" + DemoIssuer.ISSUER + "\"",
        "      audiences: [" + DemoIssuer.AUDIENCE + "]",
        "      jwks_uri: \"http://127.0.0.1:" + issuerPort + DemoIssuer.JWKS_PATH + "\"",
        "      algorithms: [RS256]",
        "  # Opaque tokens (anything that is not a JWT of the demo issuer) are asked about here (RFC 7662).",
        "  introspection:",
        "    - name: demo-opaque",
        "      endpoint: \"http://127.0.0.1:" + issuerPort + "/introspect\"",
        "      client_id: " + DemoIssuer.CLIENT_ID,
        "      client_secret: \"" + clientSecret + "\"   # in a real config: ${INTROSPECTION_SECRET}",
        "      claims: {sub: X-User-Id, scope: X-Scopes, client_id: X-Client-Id}",
        "  api_keys:",
        "    store: sqlite:data/demo-keys.db",
        "default_policy: jwt",
        "routes:",
        "  - {id: health, match: {path: /health}, upstream: echo, policy: public}",
        "  - {id: public, match: {prefix: /api/public/}, upstream: echo, policy: public}",
        "  - {id: admin, match: {prefix: /api/admin/}, upstream: echo, policy: {jwt: {roles: [admin]}}}",
        "  - {id: reports, match: {prefix: /api/reports/}, upstream: echo, policy: {jwt: {scopes: [reports:read]}}}",
        "  - {id: partners, match: {prefix: /partners/}, upstream: echo, policy: {api_key: {scopes: [orders:read]}}}",
        "  - {id: api, match: {prefix: /api/}, upstream: echo}",
        "");
  }

  /**
   * Waits, at most 10 s, until the admin listener's {@code /ready} answers 200: the demo's key
   * set is fetched over HTTP like any remote JWKS, and tokens get 503 until it is.
   */
  public void awaitReady(Vertx vertx, int adminPort) throws Exception {
    HttpClient client = vertx.createHttpClient();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        int status = client.request(HttpMethod.GET, adminPort, "127.0.0.1", "/ready")
            .compose(request -> request.send().compose(response -> response.body().map(b -> response.statusCode())))
            .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (status == 200) return;
        if (System.nanoTime() > deadline) throw new IllegalStateException("the demo gateway did not become ready");
        vertx.timer(50, TimeUnit.MILLISECONDS).toCompletionStage().toCompletableFuture().get();
      }
    } finally {
      client.close();
    }
  }

  /** Sends every scenario's request and prints whether the gateway answered as described. */
  public boolean runAll(Vertx vertx, PrintWriter out) throws Exception {
    HttpClient client = vertx.createHttpClient();
    boolean allGood = true;
    try {
      out.println("Checking the demo against the running gateway:");
      for (Scenario s : scenarios) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(expand(s.path));
        s.headers.forEach((name, value) -> options.addHeader(name, expand(value)));
        Future<Result> result = client.request(options)
            .compose(request -> request.send()
                .compose(response -> response.body().map(body -> new Result(response, body.toString()))));
        Result r = result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        boolean ok = r.response.statusCode() == s.expectedStatus && s.check.test(parse(r.body));
        allGood &= ok;
        out.printf("  [%s] %d  %s%n", ok ? " ok " : "FAIL", r.response.statusCode(), s.title);
      }
    } finally {
      client.close();
    }
    return allGood;
  }

  /** Prints the tokens and the curl line of every scenario. */
  public void printGuide(PrintWriter out, Path configFile) {
    out.println();
    out.println("Gatehouse demo on http://127.0.0.1:" + port + "  (config: " + configFile + ")");
    out.println("Paste these into another shell:");
    out.println();
    tokens.forEach((name, token) -> out.println("export " + name + "='" + token + "'"));
    for (Scenario s : scenarios) {
      out.println();
      out.println("# " + s.title);
      // Double quotes: the shell fills in $DEMO_KEY in a query string.
      StringBuilder curl = new StringBuilder("curl -si \"http://127.0.0.1:" + port + s.path + "\"");
      s.headers.forEach((name, value) -> curl.append(" -H \"").append(name).append(": ").append(value).append('"'));
      out.println(curl);
    }
    out.println();
    out.println("Stop with Ctrl-C.");
  }

  private void add(String title, String path, Map<String, String> headers, int status, Predicate<JsonObject> check) {
    scenarios.add(new Scenario(title, path, new LinkedHashMap<>(headers), status, check));
  }

  private String expand(String value) {
    String v = value;
    for (Map.Entry<String, String> t : tokens.entrySet()) v = v.replace("$" + t.getKey(), t.getValue());
    return v;
  }

  private static JsonObject parse(String body) {
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private static String header(JsonObject echo, String name) {
    JsonObject headers = echo.getJsonObject("headers", new JsonObject());
    for (String n : headers.fieldNames()) if (n.equalsIgnoreCase(name)) return headers.getString(n);
    return null;
  }

  private record Scenario(String title, String path, Map<String, String> headers, int expectedStatus, Predicate<JsonObject> check) {}

  private record Result(HttpClientResponse response, String body) {}
}
