package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Stage 6 chooses which verified claim fills which header, per source of the identity: a
 * provider's own {@code claims}, else {@code identity.claims}; API keys always their three fields.
 */
class ClaimHeadersTest {
  /** Every source holds the same claims; only the mapping differs. */
  private static final Map<String, Object> CLAIMS = Map.of("sub", "alice", "email", "a@example.com", "tenant", "t1",
      "owner_id", "acme", "scopes", List.of("a", "b"), "key_id", "k1");

  private static final IdentityHeaders HEADERS = new IdentityHeaders(config(String.join("\n",
      "identity: {claims: {sub: X-User-Id}}",
      "auth:",
      "  jwt:",
      "    - {name: own, issuer: \"https://own.example.com\", jwks_uri: \"https://own.example.com/k\", claims: {email: X-Mail}}",
      "    - {name: plain, issuer: \"https://plain.example.com\", jwks_uri: \"https://plain.example.com/k\"}",
      "  introspection:",
      "    - {name: corp, endpoint: \"https://as/i\", client_id: gw, client_secret: s, claims: {tenant: X-Tenant}}",
      "")));

  private static Map<String, String> set(Scheme scheme, String issuer) {
    Identity identity = new Identity("alice", scheme, issuer, Set.of(), Set.of(), VerifiedClaims.of(CLAIMS), Optional.empty());
    return ((HeaderPlan.Planned) HEADERS.plan(new Credential.BearerToken(new Secret("t")), identity)).edits().set();
  }

  @Test
  void aProvidersOwnClaimsReplaceTheIdentityDefaults() {
    assertEquals(Map.of("X-Mail", "a@example.com"), set(Scheme.JWT, "own"));
    assertEquals(Map.of("X-Tenant", "t1"), set(Scheme.INTROSPECTION, "corp"));
  }

  @Test
  void withoutOwnClaimsAProviderAndClientCertificatesUseIdentityClaims() {
    assertEquals(Map.of("X-User-Id", "alice"), set(Scheme.JWT, "plain"));
    assertEquals(Map.of("X-User-Id", "alice"), set(Scheme.INTROSPECTION, "elsewhere"));
    assertEquals(Map.of("X-User-Id", "alice"), set(Scheme.MTLS, "mtls"));
  }

  @Test
  void anApiKeySendsItsOwnerScopesAndKeyId() {
    assertEquals(Map.of("X-Owner-Id", "acme", "X-Scopes", "a,b", "X-Key-Id", "k1"), set(Scheme.API_KEY, "api_keys"));
  }

  @Test
  void aClaimPathThatDoesNotParseIsRefusedAtLoadNamingItsLineAndKey() {
    // The config reader checks every claim path, so IdentityHeaders is only ever given valid ones.
    gatehouse.config.ConfigException e = assertThrows(gatehouse.config.ConfigException.class, () -> ConfigLoader.parse("gatehouse.yaml",
        "upstreams: {app: {url: \"http://127.0.0.1:9\"}}\nroutes:\n  - {match: {prefix: /}, upstream: app}\n" + String.join("\n",
        "auth:",
        "  jwt:",
        "    - {name: own, issuer: \"https://own.example.com\", jwks_uri: \"https://own.example.com/k\", claims: {'a.': X-A}}",
        ""), Path.of("."), name -> null));
    assertEquals("gatehouse.yaml:6: auth.jwt[0].claims.a.: claim path 'a.': expected a name after '.' at index 2", e.getMessage());
  }

  @Test
  void theVerifiedClaimsCannotBeChangedAfterTheAuthenticatorHandsThemOver() {
    List<Object> groups = new ArrayList<>(List.of("g1"));
    Map<String, Object> claims = new HashMap<>(Map.of("groups", groups));
    VerifiedClaims verified = VerifiedClaims.of(claims);
    groups.add("admin");
    claims.put("groups", "admin");
    ClaimHeaders mapping = ClaimHeaders.compile("test", "claims", Map.of("groups", "X-Groups"));
    List<?> seen = (List<?>) mapping.select(verified).get("X-Groups").value();
    assertEquals(List.of("g1"), seen);
    assertThrows(UnsupportedOperationException.class, () -> seen.clear());
  }

  private static GatehouseConfig config(String more) {
    try {
      return ConfigLoader.parse("gatehouse.yaml", "upstreams: {app: {url: \"http://127.0.0.1:9\"}}\nroutes:\n  - {match: {prefix: /}, upstream: app}\n"
          + more, Path.of("."), name -> null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
