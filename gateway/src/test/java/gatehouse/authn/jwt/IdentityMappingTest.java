package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.testing.Identities;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Roles, scopes and identity headers from verified claims. */
class IdentityMappingTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);

  private Identity identity(Jwt.Provider provider, TestTokens token) {
    return assertAuthenticated(Jwt.authenticate(authenticators.create(provider), token.sign()));
  }

  private TestTokens token() {
    return TestTokens.signedBy(TestKeys.ec256(), clock);
  }

  private Jwt.Provider provider() {
    return Jwt.jwksProvider(TestKeys.ec256());
  }

  @Test
  void rolesFromAStringClaimAreOneRole() {
    assertEquals(Set.of("admin"), identity(provider(), token().claim("role", "admin")).roles());
  }

  @Test
  void rolesFromAnArrayClaimAreItsStrings() {
    assertEquals(Set.of("admin", "ops"), identity(provider(), token().claim("role", List.of("admin", "ops", 7))).roles());
  }

  @Test
  void rolesFromANestedPath() {
    Identity id = identity(provider().rolesClaim("realm_access.roles"),
        token().claim("realm_access", Map.of("roles", List.of("user", "admin"))));
    assertEquals(Set.of("user", "admin"), id.roles());
  }

  @Test
  void rolesFromAClaimWhoseNameContainsDotsAndSlashes() {
    Identity id = identity(provider().rolesClaim("[\"https://example.com/roles\"]"),
        token().claim("https://example.com/roles", List.of("admin")));
    assertEquals(Set.of("admin"), id.roles());
  }

  @Test
  void missingOrOddlyTypedRolesClaimGivesNoRoles() {
    assertEquals(Set.of(), identity(provider(), token()).roles());
    assertEquals(Set.of(), identity(provider(), token().claim("role", Map.of("a", 1))).roles());
  }

  @Test
  void scopesFromTheSpaceSeparatedScopeClaim() {
    assertEquals(Set.of("orders:read", "orders:write"), identity(provider(), token().claim("scope", "orders:read  orders:write")).scopes());
  }

  @Test
  void scopesFromTheScpArrayOrString() {
    assertEquals(Set.of("a", "b"), identity(provider(), token().claim("scp", List.of("a", "b"))).scopes());
    assertEquals(Set.of("a", "b"), identity(provider(), token().claim("scp", "a b")).scopes());
  }

  @Test
  void providerClaimsMappingReplacesTheIdentityDefaults() {
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("sub", "X-Subject");
    claims.put("realm_access.roles", "X-Roles");
    claims.put("[\"https://example.com/tenant\"]", "X-Tenant");
    Identity id = identity(provider().claims(claims),
        token().claim("realm_access", Map.of("roles", List.of("a", "b"))).claim("https://example.com/tenant", "t1")
            .claim("email", "alice@example.com"));
    assertEquals(Map.of("X-Subject", new ClaimValue("sub", "alice"), "X-Roles", new ClaimValue("realm_access.roles", List.of("a", "b")),
        "X-Tenant", new ClaimValue("[\"https://example.com/tenant\"]", "t1")), Identities.headers(id, claims));
  }

  @Test
  void valuesAreHandedOverAsTheJsonReaderReturnedThemForStageFiveToEncode() {
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("groups", "X-Groups");
    claims.put("level", "X-Level");
    claims.put("ratio", "X-Ratio");
    claims.put("verified", "X-Verified");
    Identity id = identity(provider().claims(claims),
        token().claim("groups", List.of("g1", "g2", 3)).claim("level", 42).claim("ratio", 0.5).claim("verified", true));
    assertEquals(Map.of("X-Groups", List.of("g1", "g2", 3L), "X-Level", 42L, "X-Ratio", 0.5, "X-Verified", true), Identities.headerValues(id, claims));
  }

  @Test
  void missingClaimLeavesItsHeaderUnset() {
    Identity id = identity(provider(), token());
    assertEquals(Map.of("X-User-Id", "alice"), Identities.headerValues(id, Jwt.IDENTITY.claims()));
  }

  @Test
  void controlCharactersAndObjectsAreNotDroppedHereButLeftToStageFive() {
    // Dropping them here made a present claim look missing; stage 6 encodes or refuses them.
    Identity id = identity(provider(), token().claim("email", "a@b.c\r\nX-Admin: yes").claim("role", Map.of("x", 1)));
    assertEquals(Map.of("X-User-Id", "alice", "X-User-Email", "a@b.c\r\nX-Admin: yes", "X-User-Role", Map.of("x", 1L)),
        Identities.headerValues(id, Jwt.IDENTITY.claims()));
  }
}
