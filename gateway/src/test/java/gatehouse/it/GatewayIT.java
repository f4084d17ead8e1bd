package gatehouse.it;

import static gatehouse.it.GatewayInvariants.SPOOF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** The gateway end to end: real HTTP in, the recording upstream out. */
class GatewayIT {
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @BeforeEach
  void echo() {
    gw.upstream.replyWith(Reply.echo());
  }

  private String userToken() {
    return invariants.secret(gw.token("alice", Map.of("role", "user", "email", "alice@example.com")));
  }

  private static JsonObject json(RawHttp.Response r) {
    return new JsonObject(r.text());
  }

  @Test
  void aValidTokenReachesTheUpstreamWithIdentityHeadersAndWithoutAuthorization() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/7?x=1", "Authorization: Bearer " + userToken());
    assertEquals(200, r.status());
    Recorded seen = gw.upstream.lastRequest();
    assertEquals("/api/orders/7?x=1", seen.target());
    assertEquals(Optional.of("alice"), seen.header("X-User-Id"));
    assertEquals(Optional.of("user"), seen.header("X-User-Role"));
    assertEquals(Optional.of("alice@example.com"), seen.header("X-User-Email"));
    assertEquals(List.of(), seen.headers("Authorization"));
    assertEquals(seen.header("X-Request-Id"), r.header("X-Request-Id"));
  }

  @Test
  void noTokenIs401WithABareBearerChallenge() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/7");
    assertEquals(401, r.status());
    assertEquals(Optional.of("Bearer realm=\"gatehouse\""), r.header("WWW-Authenticate"));
    assertEquals("unauthenticated", json(r).getString("error"));
    assertEquals(r.header("X-Request-Id").orElseThrow(), json(r).getString("request_id"));
  }

  @Test
  void anExpiredTokenIs401InvalidTokenAndTheLogNamesOnlyItsFingerprint() {
    String expired = invariants.secret(gw.token("alice", Map.of("exp", gw.clock.instant().getEpochSecond() - 600)));
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/7", "Authorization: Bearer " + expired);
    assertEquals(401, r.status());
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"expired\""),
        r.header("WWW-Authenticate"));
    assertFalse(r.text().contains(expired.substring(0, 20)));
    invariants.awaitLogLine(l -> l.contains("reason=expired") && l.contains("credential="));
  }

  @Test
  void aTokenSignedByAnotherKeyIs401() {
    String forged = invariants.secret(gatehouse.testing.TestTokens.signedBy(gatehouse.testing.TestKeys.otherRsa(), gw.clock)
        .kid(gatehouse.testing.TestKeys.rsa().kid()).sign());
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/7", "Authorization: Bearer " + forged);
    assertEquals(401, r.status());
    assertEquals("invalid_token", json(r).getString("error"));
  }

  @Test
  void aUserOnTheAdminRouteIs403WithInsufficientScopeChallenge() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/admin/users", "Authorization: Bearer " + userToken());
    assertEquals(403, r.status());
    assertEquals("missing_role", json(r).getString("error"));
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"insufficient_scope\", error_description=\"missing_role\""),
        r.header("WWW-Authenticate"));
    String admin = invariants.secret(gw.token("bob", Map.of("role", "admin")));
    assertEquals(200, RawHttp.get(gw.port(), "/api/admin/users", "Authorization: Bearer " + admin).status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/public/x", "/api/orders/1"})
  void spoofedIdentityHeadersInEverySpellingNeverReachTheUpstream(String target) {
    RawHttp.Response r = RawHttp.get(gw.port(), target,
        "Authorization: Bearer " + userToken(),
        "X-User-Id: " + SPOOF + "1", "x-user-id: " + SPOOF + "2", "X_User_Id: " + SPOOF + "3", "X-USER-ROLE: " + SPOOF,
        "X-User-Email: " + SPOOF, "X-Owner-Id: " + SPOOF, "X-Scopes: " + SPOOF, "X-Key-Id: " + SPOOF, "x_scopes: " + SPOOF,
        "X-User-Anything: " + SPOOF);
    assertEquals(200, r.status());
    Recorded seen = gw.upstream.lastRequest();
    if (target.startsWith("/api/orders")) assertEquals(List.of("alice"), seen.headers("X-User-Id"));
    else assertEquals(List.of(), seen.headers("X-User-Id"));
  }

  @Test
  void aMissingClaimLeavesItsHeaderUnsetNeverTheClientsValue() {
    String noEmail = invariants.secret(gw.token("carol", Map.of("role", "user")));
    RawHttp.get(gw.port(), "/api/x", "Authorization: Bearer " + noEmail, "X-User-Email: " + SPOOF);
    assertEquals(List.of(), gw.upstream.lastRequest().headers("X-User-Email"));
  }

  @Test
  void aClientsConnectionHeaderCannotRemoveHeadersTheGatewaySets() {
    RawHttp.get(gw.port(), "/api/x", "Authorization: Bearer " + userToken(), "Connection: close, X-User-Id, X-Request-Id, X-Forwarded-For");
    Recorded seen = gw.upstream.lastRequest();
    assertEquals(Optional.of("alice"), seen.header("X-User-Id"));
    assertTrue(seen.header("X-Request-Id").isPresent());
    assertEquals(Optional.of("127.0.0.1"), seen.header("X-Forwarded-For"));
  }

  @Test
  void forwardedHeadersFromAnUntrustedPeerAreReplacedWithWhatTheGatewaySaw() {
    RawHttp.get(gw.port(), "/api/public/x", "X-Forwarded-For: 6.6.6.6", "X-Forwarded-Proto: https", "Forwarded: for=6.6.6.6");
    Recorded seen = gw.upstream.lastRequest();
    assertEquals(List.of("127.0.0.1"), seen.headers("X-Forwarded-For"));
    assertEquals(List.of("http"), seen.headers("X-Forwarded-Proto"));
    assertFalse(seen.header("Forwarded").orElse("").contains("6.6.6.6"));
  }

  @Test
  void aBearerTokenAndAnApiKeyTogetherAreRefusedAsAmbiguous() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/any/x", "Authorization: Bearer " + userToken(), "X-API-Key: " + invariants.secret("gkey_x"));
    assertEquals(400, r.status());
    assertEquals("multiple_credentials", json(r).getString("error"));
  }

  @Test
  void twoAuthorizationHeadersAreRefusedAsAmbiguous() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/x", "Authorization: Bearer " + userToken(), "Authorization: Bearer " + userToken());
    assertEquals(400, r.status());
    assertEquals("duplicate_authorization", json(r).getString("error"));
  }

  @Test
  void aMalformedApiKeyIsNeverTreatedAsAbsent() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/any/x", "X-API-Key: " + invariants.secret("gkey_unknown"));
    assertEquals(401, r.status());
    assertEquals("invalid_api_key", json(r).getString("error"));
  }

  @Test
  void noMatchingRouteIs404WithAJsonBody() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/nothing/here");
    assertEquals(404, r.status());
    assertEquals("no_route", json(r).getString("error"));
    assertEquals(Optional.of("application/json"), r.header("Content-Type"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/public/%2e%2e/admin/users", "/api/public/..%2Fadmin/users", "/api/public%2F..%2Fadmin/users",
      "/api/public/..;/admin/users", "/api//admin/users", "/api/public/%252e%252e/admin/users", "/api/public/..\\admin/users"})
  void pathsThatCouldReachAdminUnderAnotherPolicyAre400AndNeverForwarded(String target) {
    int before = gw.upstream.requests().size();
    RawHttp.Response r = RawHttp.get(gw.port(), target);
    assertEquals(400, r.status(), target);
    assertEquals(before, gw.upstream.requests().size());
  }

  @Test
  void rawDotSegmentsAreResolvedBeforeMatchingSoTheAdminPolicyApplies() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/../admin/users", "Authorization: Bearer " + userToken());
    assertEquals(403, r.status());
  }

  @Test
  void absoluteFormForAnotherHostIsRefused() {
    RawHttp.Response r = RawHttp.send(gw.port(), "GET http://evil.example/api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close", new byte[0]);
    assertEquals(400, r.status());
    assertEquals("absolute_form_host_mismatch", json(r).getString("error"));
  }

  @Test
  void contentLengthWithTransferEncodingIsRefusedBeforeAnythingGoesUpstream() {
    // RFC 9112 section 6.3 allows reading this as chunked; refusing it leaves no message that a
    // parser further on could frame differently (request smuggling).
    int before = gw.upstream.requests().size();
    RawHttp.Response r = RawHttp.send(gw.port(), "POST /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Content-Length: 5\r\nTransfer-Encoding: chunked", "0\r\n\r\nGET /api/admin/x HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(400, r.status());
    assertEquals("ambiguous_framing", json(r).getString("error"));
    assertEquals(before, gw.upstream.requests().size());
  }

  @Test
  void aRefusedRequestWithoutBodyKeepsItsConnection() throws Exception {
    try (RawHttp c = new RawHttp(gw.port())) {
      for (int i = 0; i < 3; i++) {
        c.send("GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        RawHttp.Response r = c.read(true);
        assertEquals(401, r.status());
        assertEquals(Optional.empty(), r.header("Connection"));
      }
      c.send("GET /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
      assertEquals(200, c.read(true).status());
    }
  }

  @Test
  void aRefusedRequestWithAnUnreadBodyIsToldToClose() throws Exception {
    try (RawHttp c = new RawHttp(gw.port())) {
      c.send("POST /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
      RawHttp.Response r = c.read(true);
      assertEquals(401, r.status());
      assertEquals(Optional.of("close"), r.header("Connection"));
      assertTrue(c.closedByServer(), "the body was read and dropped, then the connection ended");
    }
  }

  @Test
  void twoDifferentContentLengthsAreRefused() {
    RawHttp.Response r = RawHttp.send(gw.port(), "POST /api/public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Content-Length: 5\r\nContent-Length: 6", "hello!".getBytes(StandardCharsets.US_ASCII));
    assertEquals(400, r.status());
  }

  @Test
  void aRequestWithoutHostIsRefused() {
    RawHttp.Response r = RawHttp.send(gw.port(), "GET /api/public/x HTTP/1.1\r\nConnection: close", new byte[0]);
    assertEquals(400, r.status());
  }

  @Test
  void prefixesAreStrippedAndAddedOnTheWayUpstream() {
    assertEquals(200, RawHttp.get(gw.port(), "/svc/orders/42?full=1").status());
    assertEquals("/v2/42?full=1", gw.upstream.lastRequest().target());
  }

  @Test
  void anUpstreamThatRefusesConnectionsIs502() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/down/x");
    assertEquals(502, r.status());
    assertEquals("upstream_unreachable", json(r).getString("error"));
  }

  @Test
  void anUpstreamSlowerThanTheRouteTimeoutIs504() {
    gw.upstream.replyWith(Reply.status(200).afterDelay(Duration.ofSeconds(3)));
    RawHttp.Response r = RawHttp.get(gw.port(), "/slow/x");
    assertEquals(504, r.status());
    assertEquals("upstream_timeout", json(r).getString("error"));
  }

  @Test
  void aBodyOverTheRouteLimitIs413() {
    RawHttp.Response r = RawHttp.send(gw.port(), "POST /small/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 2048",
        new byte[2048]);
    assertEquals(413, r.status());
    assertEquals("payload_too_large", json(r).getString("error"));
  }

  @Test
  void oversizedHeadersAre431AndAnOversizedRequestLineIs414() {
    RawHttp.Response headers = RawHttp.get(gw.port(), "/api/public/x", "X-Big: " + "a".repeat(20_000));
    assertEquals(431, headers.status());
    RawHttp.Response line = RawHttp.get(gw.port(), "/api/public/" + "a".repeat(9_000));
    assertEquals(414, line.status());
  }

  @Test
  void upstreamErrorsAreRelayedAsTheyAre() {
    gw.upstream.replyWith(Reply.status(418).header("X-Teapot", "yes").body("short and stout"));
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/tea");
    assertEquals(418, r.status());
    assertEquals("short and stout", r.text());
    assertEquals(Optional.of("yes"), r.header("X-Teapot"));
  }

  @Test
  void theAccessLogHasOneLineWithRoutePolicyStatusAndNoToken() {
    String token = userToken();
    RawHttp.get(gw.port(), "/api/orders/1", "Authorization: Bearer " + token);
    String line = invariants.awaitLogLine(l -> l.contains("target=\"/api/orders/1\""));
    assertEquals(1, invariants.logLines().stream().filter(l -> l.contains("target=\"/api/orders/1\"")).count());
    assertTrue(line.contains("route=api policy=jwt"), line);
    assertTrue(line.contains("outcome=forwarded status=200"), line);
    assertTrue(line.contains("subject=\"alice\""), line);
  }

  @Test
  void theAdminListenerServesPrometheusMetricsForForwardedAndRejectedRequests() {
    RawHttp.get(gw.port(), "/api/public/metrics-probe");
    RawHttp.get(gw.port(), "/nothing/for/metrics");
    // Metrics are recorded just before the access line, once the exchange has ended.
    invariants.awaitLogLine(l -> l.contains("metrics-probe"));
    invariants.awaitLogLine(l -> l.contains("/nothing/for/metrics"));
    RawHttp.Response metrics = RawHttp.get(gw.gateway.adminPort(), "/metrics");
    assertEquals(200, metrics.status());
    String text = metrics.text();
    assertTrue(text.contains("gatehouse_requests_total{outcome=\"forwarded\",route=\"public\",status=\"200\"}"), text);
    assertTrue(text.contains("gatehouse_rejections_total{error=\"no_route\",route=\"-\"}"), text);
    assertTrue(text.contains("gatehouse_dependency_ready{name=\"jwt:main\"} 1.0"), text);
  }

  @Test
  void theAdminListenerAnswersHealthAndReady() {
    RawHttp.Response health = RawHttp.get(gw.gateway.adminPort(), "/health");
    assertEquals(200, health.status());
    RawHttp.Response ready = RawHttp.get(gw.gateway.adminPort(), "/ready");
    assertEquals(200, ready.status());
    assertEquals(true, json(ready).getBoolean("ready"));
  }
}
