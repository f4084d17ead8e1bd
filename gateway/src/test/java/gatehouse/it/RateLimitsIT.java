package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Limits configured in YAML, end to end through a real gateway on 127.0.0.1: by subject across
 * tokens, by client address after the trusted-proxy rules, per route, for the whole gateway, and
 * failed authentications per address. Windows are an hour, so no token comes back during a test.
 */
class RateLimitsIT {
  private final GatewayHarness.Deferred deferred = new GatewayHarness.Deferred();
  private GatewayHarness gw;

  @RegisterExtension
  final GatewayInvariants invariants = new GatewayInvariants(() -> deferred.upstream);

  @AfterEach
  void stop() {
    deferred.close();
  }

  private void start(String topLevel, String routes) {
    gw = deferred.start(topLevel, routes);
  }

  private RawHttp.Response get(String target, String... headers) {
    return RawHttp.get(gw.port(), target, headers);
  }

  private static void assertLimited(RawHttp.Response r, String limit) {
    assertEquals(429, r.status(), r.text());
    assertEquals("rate_limited", new JsonObject(r.text()).getString("error"));
    assertTrue(Long.parseLong(r.header("Retry-After").orElseThrow()) > 0, "Retry-After");
    assertEquals(List.of(limit), r.headers("RateLimit-Limit"));
    assertEquals(List.of("0"), r.headers("RateLimit-Remaining"));
  }

  @Test
  void aSubjectLimitCountsEveryTokenOfThatSubjectTogether() {
    start("rate_limits: [{by: subject, requests: 3, per: 1h}]", "");
    String first = invariants.secret(gw.token("alice", Map.of("jti", "first")));
    String second = invariants.secret(gw.token("alice", Map.of("jti", "second", "role", "user")));
    assertEquals(200, get("/api/x", "Authorization: Bearer " + first).status());
    assertEquals(200, get("/api/x", "Authorization: Bearer " + second).status());
    RawHttp.Response third = get("/api/x", "Authorization: Bearer " + first);
    assertEquals(200, third.status());
    assertEquals(List.of("0"), third.headers("RateLimit-Remaining"));
    assertEquals(List.of("3;w=3600"), third.headers("RateLimit-Policy"));
    assertLimited(get("/api/x", "Authorization: Bearer " + second), "3");
    assertEquals(200, get("/api/x", "Authorization: Bearer " + invariants.secret(gw.token("bob", Map.of()))).status(),
        "another subject has its own bucket");
    assertEquals(200, get("/api/public/x").status(), "anonymous requests are not counted by subject");
  }

  @Test
  void anUntrustedClientCannotChangeItsAddressWithXForwardedFor() {
    start("forwarding: {trusted_proxies: [10.0.0.0/8]}\nrate_limits: [{by: address, requests: 2, per: 1h}]", "");
    assertEquals(200, get("/api/public/x", "X-Forwarded-For: 198.51.100.1").status());
    assertEquals(200, get("/api/public/x", "X-Forwarded-For: 198.51.100.2").status());
    assertLimited(get("/api/public/x", "X-Forwarded-For: 198.51.100.3"), "2");
    assertLimited(get("/api/public/x"), "2");
  }

  @Test
  void behindATrustedProxyTheAddressItNamesIsCountedAndWhatTheClientPrependedIsNot() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}\nrate_limits: [{by: address, requests: 2, per: 1h}]", "");
    assertEquals(200, get("/api/public/x", "X-Forwarded-For: 198.51.100.1").status());
    assertEquals(200, get("/api/public/x", "X-Forwarded-For: 203.0.113.7, 198.51.100.1").status());
    assertLimited(get("/api/public/x", "X-Forwarded-For: 203.0.113.8, 198.51.100.1"), "2");
    assertEquals(200, get("/api/public/x", "X-Forwarded-For: 198.51.100.2").status(), "another client behind the proxy");
    assertEquals(200, get("/api/public/x").status(), "the proxy's own requests are the proxy's");
  }

  @Test
  void aRouteLimitCountsThatRouteOnly() {
    start("", "  - {id: limited, match: {prefix: /limited/}, upstream: app, policy: public,"
        + " rate_limits: [{by: route, requests: 2, per: 1h}]}");
    assertEquals(200, get("/limited/a", "X-Forwarded-For: 198.51.100.1").status());
    assertEquals(200, get("/limited/b", "X-Forwarded-For: 198.51.100.2").status());
    assertLimited(get("/limited/c"), "2");
    assertEquals(200, get("/api/public/x").status(), "other routes are not counted");
    assertEquals(Optional.empty(), get("/api/public/x").header("RateLimit-Limit"));
  }

  @Test
  void aGlobalLimitCountsEveryRouteAndEveryClientInOneBucket() {
    start("rate_limits: [{by: global, requests: 3, per: 1h}]", "");
    String token = invariants.secret(gw.token("alice", Map.of()));
    assertEquals(200, get("/api/public/x").status());
    assertEquals(200, get("/health").status());
    assertEquals(200, get("/api/x", "Authorization: Bearer " + token).status());
    assertLimited(get("/api/any/x", "Authorization: Bearer " + token), "3");
    assertLimited(get("/api/public/y"), "3");
  }

  @Test
  void anAddressThatUsedUpItsFailedAuthenticationsGets429ForItsNextCredentialEvenAValidOne() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}\nfailed_auth_limit: {requests: 2, per: 1h}", "");
    String good = invariants.secret(gw.token("alice", Map.of()));
    String forged = invariants.secret(gw.token("alice", Map.of()).replaceFirst("\\.[^.]+$", ".AAAA"));
    String attacker = "X-Forwarded-For: 198.51.100.66";
    assertEquals(401, get("/api/x", attacker, "Authorization: Bearer " + forged).status());
    assertEquals(200, get("/api/x", attacker, "Authorization: Bearer " + good).status(), "successes are not counted");
    assertEquals(401, get("/api/x", attacker, "Authorization: Bearer " + forged).status());
    RawHttp.Response screened = get("/api/x", attacker, "Authorization: Bearer " + good);
    assertLimited(screened, "2");
    assertEquals(List.of("2;w=3600"), screened.headers("RateLimit-Policy"));
    assertLimited(get("/api/x", attacker, "Authorization: Bearer " + forged), "2");
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.67", "Authorization: Bearer " + good).status(), "another address");
    assertEquals(200, get("/api/public/x", attacker).status(), "nothing to verify on a public route");
  }

  @Test
  void aReloadThatLeavesTheLimitsAsTheyWereKeepsTheirState() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}\nfailed_auth_limit: {requests: 2, per: 1h}",
        "  - {id: limited, match: {prefix: /limited/}, upstream: app, policy: public, rate_limits: [{by: route, requests: 2, per: 1h}]}");
    String good = invariants.secret(gw.token("alice", Map.of()));
    String forged = invariants.secret(gw.token("alice", Map.of()).replaceFirst("\\.[^.]+$", ".AAAA"));
    String attacker = "X-Forwarded-For: 198.51.100.66";
    assertEquals(401, get("/api/x", attacker, "Authorization: Bearer " + forged).status());
    assertEquals(401, get("/api/x", attacker, "Authorization: Bearer " + forged).status());
    assertLimited(get("/api/x", attacker, "Authorization: Bearer " + good), "2");
    assertEquals(200, get("/limited/a").status());
    assertEquals(200, get("/limited/b").status());
    assertLimited(get("/limited/c"), "2");

    // An unrelated change: one more route.
    gatehouse.server.Reloads.Result reloaded = gw.reload(yaml -> yaml.replace("routes:\n",
        "routes:\n  - {id: added, match: {prefix: /added/}, upstream: app, policy: public}\n"));
    assertTrue(reloaded instanceof gatehouse.server.Reloads.Applied, reloaded.toString());
    assertEquals(200, get("/added/x").status(), "the new config serves");

    assertLimited(get("/api/x", attacker, "Authorization: Bearer " + good), "2");
    assertLimited(get("/api/x", attacker, "Authorization: Bearer " + forged), "2");
    assertLimited(get("/limited/d"), "2");
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.67", "Authorization: Bearer " + good).status(), "another address");

    // A changed failed_auth_limit starts over, as its buckets do.
    reloaded = gw.reload(yaml -> yaml.replace("failed_auth_limit: {requests: 2, per: 1h}", "failed_auth_limit: {requests: 3, per: 1h}"));
    assertTrue(reloaded instanceof gatehouse.server.Reloads.Applied, reloaded.toString());
    assertEquals(200, get("/api/x", attacker, "Authorization: Bearer " + good).status(), "a new limit, a new count");
  }
}
