package gatehouse.it;

import static gatehouse.it.GatewayInvariants.SPOOF;
import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opaque tokens end to end: a real gateway with a JWT provider and an introspection provider, in
 * front of the recording upstream, asking {@link LocalAuthorizationServer} on 127.0.0.1.
 */
class IntrospectionIT {
  private static Vertx asVertx;
  private static LocalAuthorizationServer as;
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    asVertx = TestVertx.create();
    as = LocalAuthorizationServer.start(asVertx);
    gw = GatewayHarness.start(String.join("\n",
            "  introspection:",
            "    - name: corp",
            "      endpoint: \"" + as.endpoint() + "\"",
            "      client_id: " + LocalAuthorizationServer.CLIENT_ID,
            "      client_secret: \"" + LocalAuthorizationServer.CLIENT_SECRET + "\"",
            "      negative_cache_ttl: 0s",
            "      breaker_failures: 1000",
            "      claims: {sub: X-User-Id, scope: X-Scopes, client_id: X-Client-Id}"),
        String.join("\n",
            "  - {id: write, match: {prefix: /api/write/}, upstream: app, policy: {jwt: {scopes: [orders:write]}}}",
            "  - {id: corp, match: {prefix: /api/corp/}, upstream: app, policy: {jwt: {providers: [corp]}}}"));
  }

  @AfterAll
  static void stop() {
    gw.close();
    as.close();
    await(asVertx.close());
  }

  @BeforeEach
  void reset() {
    gw.upstream.replyWith(Reply.echo());
    as.recover();
  }

  private static String opaque(String name, String scope) {
    String token = invariants.secret("opaque-" + name + "-" + System.nanoTime());
    as.activate(token, new JsonObject().put("sub", name).put("scope", scope).put("client_id", "web")
        .put("exp", System.currentTimeMillis() / 1000 + 3600));
    return token;
  }

  @Test
  void anActiveOpaqueTokenReachesTheUpstreamWithIdentityHeadersFromTheAnswer() {
    String token = opaque("carol", "orders:read");
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + token, "X-Client-Id: " + SPOOF);
    assertEquals(200, r.status());
    Recorded seen = gw.upstream.lastRequest();
    assertEquals(Optional.of("carol"), seen.header("X-User-Id"));
    assertEquals(Optional.of("orders:read"), seen.header("X-Scopes"));
    assertEquals(Optional.of("web"), seen.header("X-Client-Id"));
    assertEquals(List.of(), seen.headers("Authorization"));
    invariants.awaitLogLine(l -> l.contains("scheme=introspection") && l.contains("issuer=corp"));
  }

  @Test
  void scopesFromIntrospectionAreCheckedOnEveryRequestEvenWhenTheAnswerIsCached() {
    String reader = opaque("carol", "orders:read");
    int before = as.callCount();
    assertEquals(200, RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + reader).status());
    for (int i = 0; i < 3; i++) {
      RawHttp.Response denied = RawHttp.get(gw.port(), "/api/write/1", "Authorization: Bearer " + reader);
      assertEquals(403, denied.status());
      assertEquals("insufficient_scope", new JsonObject(denied.text()).getString("error"));
    }
    assertEquals(200, RawHttp.get(gw.port(), "/api/orders/2", "Authorization: Bearer " + reader).status());
    assertEquals(before + 1, as.callCount(), "one introspection call; the route decision is made every time");

    String writer = opaque("dave", "orders:read orders:write");
    assertEquals(200, RawHttp.get(gw.port(), "/api/write/1", "Authorization: Bearer " + writer).status());
  }

  @Test
  void oneHundredRequestsWithOneTokenMakeOneIntrospectionCall() {
    String token = opaque("erin", "orders:read");
    int before = as.callCount();
    for (int i = 0; i < 100; i++) assertEquals(200, RawHttp.get(gw.port(), "/api/orders/" + i, "Authorization: Bearer " + token).status());
    assertEquals(before + 1, as.callCount());
  }

  @Test
  void anInactiveTokenIs401InvalidTokenWithTheReason() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + invariants.secret("never-issued-token"));
    assertEquals(401, r.status());
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"inactive\""),
        r.header("WWW-Authenticate"));
  }

  @Test
  void anAuthorizationServerOutageIs503WithRetryAfterThenRecovers() {
    String token = opaque("frank", "orders:read");
    as.failWith(503);
    RawHttp.Response down = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + token);
    assertEquals(503, down.status());
    assertEquals("dependency_unavailable", new JsonObject(down.text()).getString("error"));
    assertTrue(down.header("Retry-After").isPresent());
    invariants.awaitLogLine(l -> l.contains("introspection:corp cannot verify token") && l.contains("answered HTTP 503"));
    as.recover();
    assertEquals(200, RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + token).status());
  }

  @Test
  void jwtsAreStillVerifiedLocallyAndABadOneIsNeverIntrospected() {
    int before = as.callCount();
    String jwt = invariants.secret(gw.token("alice", Map.of("role", "user")));
    assertEquals(200, RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + jwt).status());
    String forged = jwt.substring(0, jwt.lastIndexOf('.') + 1) + "AAAA";
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + invariants.secret(forged));
    assertEquals(401, r.status());
    assertEquals(before, as.callCount(), "no introspection call for JWTs of a local provider");
  }

  @Test
  void aProviderListNamesIntrospectionProvidersLikeJwtProviders() {
    String token = opaque("gina", "");
    assertEquals(200, RawHttp.get(gw.port(), "/api/corp/1", "Authorization: Bearer " + token).status());
    String jwt = invariants.secret(gw.token("alice", Map.of()));
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/corp/1", "Authorization: Bearer " + jwt);
    assertEquals(403, r.status());
    assertEquals("wrong_issuer", new JsonObject(r.text()).getString("error"));
  }

  @Test
  void aJwtOfAnUnknownIssuerIs401UnknownIssuerAndTheServerIsNeverAsked() {
    // What oidc-provider answered for JWT-shaped tokens; before, this turned into 503.
    as.answerRaw(400, "application/json", "{\"error\":\"invalid_request\",\"error_description\":\"invalid token\"}");
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    int before = as.callCount();
    for (int i = 0; i < 10; i++) {
      String forged = invariants.secret(b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
          + "." + b64.encodeToString(("{\"iss\":\"https://elsewhere.example\",\"n\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
          + ".c2ln");
      RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + forged);
      assertEquals(401, r.status());
      assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"unknown_issuer\""),
          r.header("WWW-Authenticate"));
    }
    assertEquals(before, as.callCount(), "nobody's token is asked about");
  }

  @Test
  void anOpaqueTokenTheServerRefusesWith400Is401NotA503() {
    String token = invariants.secret("garbage-" + System.nanoTime());
    as.answerRawFor(token, 400, "application/json", "{\"error\":\"invalid_request\"}");
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + token);
    assertEquals(401, r.status());
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"inactive\""),
        r.header("WWW-Authenticate"));
  }
}
