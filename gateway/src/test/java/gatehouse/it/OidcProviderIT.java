package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.RealTime;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interop with the real Node {@code oidc-provider} ({@link OidcProvider}): a real gateway trusts
 * its JWT access tokens ({@code typ: at+jwt}) through discovery and its JWKS, and asks its
 * introspection endpoint about its opaque tokens. Every token here is one the provider issued,
 * except the forged ones. Rotation and outages restart or stop the provider process; tests that do
 * so, or that may open the introspection breaker, run a gateway of their own.
 *
 * <p>Timings are measured on the wall clock and printed as {@code OidcProviderIT measured: ...}.
 */
class OidcProviderIT {
  /** The gateway's {@code jwks_min_refresh} for the provider: the rotation bound is this plus one fetch. */
  private static final Duration MIN_REFRESH = Duration.ofSeconds(2);
  /** The introspection {@code cache_ttl}: the longest a revoked opaque token may keep working. */
  private static final Duration CACHE_TTL = Duration.ofSeconds(2);
  /** How long one fetch or introspection call to the provider on loopback may take, at most, on a loaded CI machine. */
  private static final Duration ONE_CALL = Duration.ofSeconds(1);
  /** Service must resume this soon after the provider returns (issue 18: "within a second or two"). */
  private static final Duration RECOVERY = Duration.ofSeconds(3);

  private static OidcProvider op;
  private static GatewayHarness gw;
  private static int keyGeneration;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    op = OidcProvider.start(List.of("key-1"));
    gw = gateway();
  }

  @AfterAll
  static void stop() {
    try {
      if (gw != null) gw.close();
    } finally {
      if (op != null) op.close();
    }
  }

  @BeforeEach
  void reset() {
    gw.upstream.replyWith(Reply.echo());
  }

  /**
   * A gateway trusting {@link #op}: JWTs through discovery, opaque tokens through introspection,
   * default breaker. Returned once {@code /ready} says so, that is once it holds the provider's keys.
   */
  private static GatewayHarness gateway() {
    GatewayHarness g = unready();
    try {
      await("gateway /ready", System.nanoTime(), Duration.ofSeconds(10), 200, () -> RawHttp.get(g.gateway.adminPort(), "/ready"));
    } catch (AssertionError e) {
      g.close();
      throw e;
    }
    return g;
  }

  private static GatewayHarness unready() {
    String claims = "      claims: {sub: X-User-Id, client_id: X-Client-Id, scope: X-Scopes}";
    return GatewayHarness.start(String.join("\n",
            "    - name: op",
            "      issuer: \"" + op.issuer() + "\"",
            "      discovery: true",
            "      audiences: [\"" + OidcProvider.JWT_RESOURCE + "\", \"" + OidcProvider.SHORT_JWT_RESOURCE + "\"]",
            "      type: at+jwt",
            "      clock_skew: 0s",
            "      jwks_min_refresh: " + MIN_REFRESH.toSeconds() + "s",
            claims,
            "  introspection:",
            "    - name: op-opaque",
            "      endpoint: \"" + op.issuer() + "/token/introspection\"",
            "      client_id: " + OidcProvider.GATEWAY_CLIENT,
            "      client_secret: \"" + OidcProvider.secretOf(OidcProvider.GATEWAY_CLIENT) + "\"",
            "      audiences: [\"" + OidcProvider.OPAQUE_RESOURCE + "\", \"" + OidcProvider.SHORT_OPAQUE_RESOURCE + "\"]",
            "      cache_ttl: " + CACHE_TTL.toSeconds() + "s",
            "      breaker_failures: 5",
            "      breaker_cooldown: 30s",
            claims),
        "  - {id: write, match: {prefix: /api/write/}, upstream: app, policy: {jwt: {scopes: [orders:write]}}}");
  }

  private static RawHttp.Response call(GatewayHarness g, String path, String token) {
    return RawHttp.get(g.port(), path, "Authorization: Bearer " + token);
  }

  private static String jwt(String scope) {
    return invariants.secret(op.token(OidcProvider.API_CLIENT, OidcProvider.JWT_RESOURCE, scope));
  }

  private static String opaque(String scope) {
    return invariants.secret(op.token(OidcProvider.REPORTS_CLIENT, OidcProvider.OPAQUE_RESOURCE, scope));
  }

  /** A token shaped like the provider's JWTs, signed by a key it never published, with {@code kid}. */
  private static String strangerJwt(String kid) {
    return invariants.secret(TestTokens.signedBy(TestKeys.otherRsa(), Clock.systemUTC()).kid(kid)
        .header("typ", "at+jwt").claim("iss", op.issuer()).claim("aud", OidcProvider.JWT_RESOURCE)
        .claim("sub", OidcProvider.API_CLIENT).sign());
  }

  private static JsonObject segment(String jwt, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  private static String challenge(RawHttp.Response r) {
    return r.header("WWW-Authenticate").orElse("");
  }

  /**
   * Calls {@code request} every 25 ms until it answers {@code status} or {@code within} has passed
   * since {@code fromNanos}; returns the milliseconds from {@code fromNanos} to that answer, or
   * fails with the last answer seen.
   */
  private static long await(String what, long fromNanos, Duration within, int status, Supplier<RawHttp.Response> request) {
    long deadline = fromNanos + within.toNanos();
    RawHttp.Response last;
    while (true) {
      last = request.get();
      long now = System.nanoTime();
      if (last.status() == status) return (now - fromNanos) / 1_000_000;
      if (now > deadline) break;
      RealTime.pause(Duration.ofMillis(25));
    }
    throw new AssertionError(what + ": no " + status + " within " + within.toMillis() + " ms; still " + last.status()
        + " " + challenge(last) + " " + last.text());
  }

  private static void measured(String what, long millis) {
    System.out.printf("OidcProviderIT measured: %s: %d ms%n", what, millis);
  }

  // ---- tokens as the provider issues them

  @Test
  void aJwtAccessTokenFromTheProviderIsVerifiedThroughDiscoveryAndItsJwks() {
    String token = jwt("orders:read");
    assertEquals("at+jwt", segment(token, 0).getString("typ"), "the provider issues RFC 9068 access tokens");
    assertEquals(op.issuer(), segment(token, 1).getString("iss"));

    RawHttp.Response r = call(gw, "/api/orders/1", token);
    assertEquals(200, r.status(), r.text());
    Recorded seen = gw.upstream.lastRequest();
    assertEquals(Optional.of(OidcProvider.API_CLIENT), seen.header("X-User-Id"));
    assertEquals(Optional.of(OidcProvider.API_CLIENT), seen.header("X-Client-Id"));
    assertEquals(Optional.of("orders:read"), seen.header("X-Scopes"));
    assertEquals(List.of(), seen.headers("Authorization"));

    RawHttp.Response denied = call(gw, "/api/write/1", token);
    assertEquals(403, denied.status());
    assertEquals("insufficient_scope", new JsonObject(denied.text()).getString("error"));
    assertEquals(200, call(gw, "/api/write/1", jwt("orders:read orders:write")).status());
  }

  @Test
  void anOpaqueTokenFromTheProviderIsIntrospectedAndOneItNeverIssuedIsInactive() {
    String token = opaque("orders:read");
    assertEquals(-1, token.indexOf('.'), "the provider's opaque tokens have no dots");
    RawHttp.Response r = call(gw, "/api/orders/1", token);
    assertEquals(200, r.status(), r.text());
    Recorded seen = gw.upstream.lastRequest();
    assertEquals(Optional.empty(), seen.header("X-User-Id"), "oidc-provider's answer for client_credentials has no sub");
    assertEquals(Optional.of(OidcProvider.REPORTS_CLIENT), seen.header("X-Client-Id"));
    assertEquals(Optional.of("orders:read"), seen.header("X-Scopes"));
    invariants.awaitLogLine(l -> l.contains("scheme=introspection") && l.contains("issuer=op-opaque"));

    RawHttp.Response never = call(gw, "/api/orders/1", invariants.secret("NeverIssuedByTheProvider0123456789abcdefghij"));
    assertEquals(401, never.status());
    assertTrue(challenge(never).contains("error_description=\"inactive\""), challenge(never));
  }

  @Test
  void aRevokedOpaqueTokenIsRefusedOnceItsCachedAnswerExpires() {
    String token = opaque("orders:read");
    assertEquals(200, call(gw, "/api/orders/1", token).status());
    op.revoke(OidcProvider.REPORTS_CLIENT, token);
    long revokedAt = System.nanoTime();
    assertEquals(Boolean.FALSE, new JsonObject(op.introspect(token).body()).getBoolean("active"), "the provider revoked it");
    long ms = await("revoked opaque token", revokedAt, CACHE_TTL.plus(ONE_CALL), 401, () -> call(gw, "/api/orders/1", token));
    measured("opaque token revoked -> refused (cache_ttl " + CACHE_TTL.toSeconds() + "s)", ms);
    assertTrue(challenge(call(gw, "/api/orders/1", token)).contains("inactive"));
  }

  @Test
  void shortLivedTokensOfBothKindsAreRefusedOnceTheyExpire() {
    String shortJwt = invariants.secret(op.token(OidcProvider.API_CLIENT, OidcProvider.SHORT_JWT_RESOURCE, "orders:read"));
    String shortOpaque = invariants.secret(op.token(OidcProvider.REPORTS_CLIENT, OidcProvider.SHORT_OPAQUE_RESOURCE, "orders:read"));
    long exp = segment(shortJwt, 1).getLong("exp");
    assertEquals(2, exp - segment(shortJwt, 1).getLong("iat"), "the provider's short-lived tokens last 2 s");
    assertEquals(200, call(gw, "/api/orders/1", shortJwt).status());
    assertEquals(200, call(gw, "/api/orders/1", shortOpaque).status());

    long expNanos = System.nanoTime() + (exp * 1000 - System.currentTimeMillis()) * 1_000_000;
    long jwtMs = await("expired JWT", expNanos, ONE_CALL, 401, () -> call(gw, "/api/orders/1", shortJwt));
    assertTrue(challenge(call(gw, "/api/orders/1", shortJwt)).contains("error_description=\"expired\""));
    long opaqueMs = await("expired opaque token", expNanos, ONE_CALL, 401, () -> call(gw, "/api/orders/1", shortOpaque));
    measured("short-lived JWT refused after its exp", jwtMs);
    measured("short-lived opaque token refused after its exp", opaqueMs);
  }

  // ---- what a client can send: forged tokens the provider answers 400 for

  /**
   * Token shapes oidc-provider answers HTTP 400 {@code unsupported_token_type} at introspection
   * (it refuses to introspect anything {@code jose.decodeProtectedHeader} can read: three or five
   * segments whose first is a JSON object), each of which a client can send as often as it likes.
   */
  static Stream<Arguments> forgedTokens() {
    Clock clock = Clock.systemUTC();
    String b64 = "eyJ0eXAiOiJKV1QifQ";
    return Stream.of(
        Arguments.of("a JWT of an unknown issuer", (Supplier<String>) () ->
            TestTokens.signedBy(TestKeys.otherRsa(), clock).claim("iss", "https://stranger.test").sign()),
        Arguments.of("a JWT with no iss", (Supplier<String>) () ->
            TestTokens.signedBy(TestKeys.otherRsa(), clock).claim("iss", null).sign()),
        Arguments.of("three segments, header without alg", (Supplier<String>) () -> b64 + ".e30.c2lnbmF0dXJl"),
        Arguments.of("a JWE (five segments)", (Supplier<String>) () ->
            Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}".getBytes(StandardCharsets.UTF_8)) + ".a2V5.aXY.Y2lwaGVy.dGFn"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgedTokens")
  void forgedTokensTheProviderRefusesWith400NeverOpenTheBreaker(String shape, Supplier<String> forge) {
    String forged = invariants.secret(forge.get());
    HttpResponse<String> direct = op.introspect(forged);
    assertEquals(400, direct.statusCode(), "oidc-provider itself answers " + direct.body());
    assertEquals("unsupported_token_type", new JsonObject(direct.body()).getString("error"));

    try (GatewayHarness own = gateway()) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) statuses.add(call(own, "/api/orders/1", forged).status());
      statuses.add(call(own, "/api/orders/1", opaque("orders:read")).status());
      assertEquals(List.of(401, 401, 401, 401, 401, 401, 200), statuses,
          shape + ", six times: the token's fault, not the provider's; then a valid, uncached opaque token");
    }
  }

  // ---- key rotation through the provider's own jwks configuration

  @Test
  void aNewSigningKeyIsAcceptedWithinMinRefreshOfItsPublicationAndTheOldOneDropsOut() {
    String oldKid = "rotation-old-" + (++keyGeneration);
    String newKid = "rotation-new-" + keyGeneration;
    op.restart(List.of(oldKid));
    try (GatewayHarness own = gateway()) {
      String before = jwt("orders:read");
      assertEquals(oldKid, segment(before, 0).getString("kid"));
      assertEquals(200, call(own, "/api/orders/1", before).status());

      // The gateway has just looked at the key set (a kid it had not seen makes it fetch), as it
      // would if the rotation came right after a refresh: the worst case for a new key.
      RealTime.pause(MIN_REFRESH.plusMillis(100));
      assertEquals(401, call(own, "/api/orders/1", strangerJwt("never-published")).status());

      op.restart(List.of(newKid, oldKid));
      long published = System.nanoTime();
      String after = jwt("orders:read");
      assertEquals(newKid, segment(after, 0).getString("kid"), "the provider signs with the new key at once");
      long ms = await("token signed by the newly published key", published, MIN_REFRESH.plus(ONE_CALL), 200,
          () -> call(own, "/api/orders/1", after));
      measured("key published -> first token with it accepted (jwks_min_refresh " + MIN_REFRESH.toSeconds() + "s)", ms);
      assertEquals(200, call(own, "/api/orders/1", before).status(), "the old key is still published");

      op.restart(List.of(newKid));
      long dropped = System.nanoTime();
      // Dropping a key is seen at the next fetch: the next unknown kid after jwks_min_refresh starts one.
      RealTime.pause(MIN_REFRESH.plusMillis(100));
      call(own, "/api/orders/1", strangerJwt("never-published-either"));
      long gone = await("token of the dropped key", dropped, MIN_REFRESH.plus(ONE_CALL).plus(ONE_CALL), 401,
          () -> call(own, "/api/orders/1", before));
      measured("key dropped -> its tokens refused (after one unknown kid)", gone);
      assertTrue(challenge(call(own, "/api/orders/1", before)).contains("unknown_key"));
      assertEquals(200, call(own, "/api/orders/1", after).status());
    }
  }

  // ---- the provider goes down and comes back

  @Test
  void duringAnOutageUncachedOpaqueTokensGet503AndServiceResumesSoonAfterTheProviderReturns() {
    try (GatewayHarness own = gateway()) {
      String cached = opaque("orders:read");
      String uncached = opaque("orders:read");
      String jwt = jwt("orders:read");
      assertEquals(200, call(own, "/api/orders/1", cached).status());
      assertEquals(200, call(own, "/api/orders/1", jwt).status());

      op.stop();
      long down = System.nanoTime();
      try {
        long first503 = await("uncached opaque token during the outage", down, ONE_CALL, 503,
            () -> call(own, "/api/orders/1", uncached));
        measured("introspection outage start -> first 503", first503);
        RawHttp.Response r = call(own, "/api/orders/1", uncached);
        assertEquals("dependency_unavailable", new JsonObject(r.text()).getString("error"));
        assertTrue(r.header("Retry-After").isPresent());
        assertEquals(200, call(own, "/api/orders/1", jwt).status(), "a JWT of a known key needs no provider");
        for (int i = 0; i < 10; i++) assertEquals(503, call(own, "/api/orders/1", uncached).status());
      } finally {
        op.restart(op.kids());
      }
      long back = System.nanoTime();
      long first200 = await("uncached opaque token after the provider returned", back, RECOVERY, 200,
          () -> call(own, "/api/orders/1", uncached));
      measured("introspection provider back -> first 200", first200);
    }
  }

  @Test
  void duringAnOutageATokenWithAKidNotYetSeenGets503AndAKeyMadeMeanwhileWorksOnReturn() {
    try (GatewayHarness own = gateway()) {
      String unseen = strangerJwt("published-during-the-outage");
      RealTime.pause(MIN_REFRESH.plusMillis(100));
      // Fetched, and not there: refused, and remembered as absent.
      assertEquals(401, call(own, "/api/orders/1", unseen).status());
      String jwt = jwt("orders:read");

      op.stop();
      long down = System.nanoTime();
      List<String> returning = Stream.concat(Stream.of("outage-new-" + (++keyGeneration)), op.kids().stream()).toList();
      try {
        assertEquals(200, call(own, "/api/orders/1", jwt).status(), "the last good key set keeps serving");
        long first503 = await("token with an unknown kid while the JWKS cannot be fetched", down,
            MIN_REFRESH.plus(ONE_CALL), 503, () -> call(own, "/api/orders/1", unseen));
        measured("JWKS outage start -> first 503 for a kid not yet seen", first503);
        RawHttp.Response r = call(own, "/api/orders/1", unseen);
        assertEquals(503, r.status(), "the key may exist: " + challenge(r));
        assertEquals("dependency_unavailable", new JsonObject(r.text()).getString("error"));
      } finally {
        op.restart(returning);
      }
      // The provider returns signing with a key it did not publish before the outage.
      long back = System.nanoTime();
      String fresh = jwt("orders:read");
      assertEquals(returning.get(0), segment(fresh, 0).getString("kid"));
      long first200 = await("JWT of the new key after the provider returned", back, MIN_REFRESH.plus(ONE_CALL), 200,
          () -> call(own, "/api/orders/1", fresh));
      measured("JWKS provider back with a new key -> first 200 with it", first200);
      assertEquals(200, call(own, "/api/orders/1", jwt).status());
      await("kid never published, once the JWKS answers again", back, MIN_REFRESH.plus(ONE_CALL), 401,
          () -> call(own, "/api/orders/1", unseen));
    }
  }
}
