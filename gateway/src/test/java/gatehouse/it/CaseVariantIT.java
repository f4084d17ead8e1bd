package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17 section 6 end to end: the harness's routes put {@code /api/admin/} under an admin role
 * and the rest of {@code /api/} under any valid token. A case variant of the admin path is refused
 * before anything reaches the upstream, so a backend that ignores case never serves the admin API
 * to a user token.
 */
class CaseVariantIT {
  @AutoClose
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("", "  - {id: status, match: {path: /status, case_sensitive: false}, upstream: app,"
        + " policy: public}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/%41dmin/users", "/api/Admin/users", "/API/ADMIN", "/api/aDmIn", "/api/ADMIN/",
      "/api/adm%49n/users?x=1", "/Api/admin/users", "/api/orders/../Admin/users"})
  void aUserTokenOnACaseVariantOfTheAdminPathIs400AndNothingIsForwarded(String target) {
    int before = gw.upstream.requests().size();
    String user = invariants.secret(gw.token("alice", Map.of("role", "user")));
    RawHttp.Response r = RawHttp.get(gw.port(), target, "Authorization: Bearer " + user);
    assertEquals(400, r.status(), target);
    assertEquals("ambiguous_case", new JsonObject(r.text()).getString("error"));
    assertEquals(before, gw.upstream.requests().size(), "forwarded: " + target);
  }

  @Test
  void caseThatPicksTheSameRouteIsForwardedAsSent() {
    String user = invariants.secret(gw.token("alice", Map.of("role", "user")));
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders/ABC", "Authorization: Bearer " + user);
    assertEquals(200, r.status());
    assertEquals("/api/orders/ABC", gw.upstream.lastRequest().target());
  }

  @Test
  void aCaseInsensitiveRouteTakesEveryCaseVariant() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/STATUS");
    assertEquals(200, r.status());
    assertEquals("/STATUS", gw.upstream.lastRequest().target());
  }
}
