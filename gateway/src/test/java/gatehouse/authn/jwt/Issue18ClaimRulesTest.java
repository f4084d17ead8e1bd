package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18 section 4 for JWTs: roles from several claim paths (Keycloak and Auth0 shapes), the
 * {@code allowed_clients} table, the NumericDate bounds table and {@code max_token_lifetime}.
 */
class Issue18ClaimRulesTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);

  private TestTokens token() {
    return TestTokens.signedBy(TestKeys.ec256(), clock);
  }

  private Jwt.Provider provider() {
    return Jwt.jwksProvider(TestKeys.ec256());
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }

  // --- roles from several paths ---------------------------------------------------------------

  /** The claims of a Keycloak 26 access token for client {@code web-app}, realm roles and client roles. */
  private TestTokens keycloakToken() {
    return token()
        .claim("aud", "account")
        .claim("typ", "Bearer")
        .claim("azp", "web-app")
        .claim("sid", "0b2f0c1e")
        .claim("realm_access", Map.of("roles", List.of("default-roles-demo", "offline_access", "admin")))
        .claim("resource_access", Map.of(
            "web-app", Map.of("roles", List.of("orders-read", "admin")),
            "my.app", Map.of("roles", List.of("dotted")),
            "account", Map.of("roles", List.of("manage-account", "view-profile"))))
        .claim("scope", "openid email profile")
        .claim("preferred_username", "alice");
  }

  @Test
  void keycloakRealmAndClientRolesAreJoined() {
    Jwt.Provider p = provider().audiences("account")
        .rolesClaim("realm_access.roles", "resource_access.web-app.roles", "resource_access[\"my.app\"].roles");
    assertEquals(Set.of("default-roles-demo", "offline_access", "admin", "orders-read", "dotted"),
        assertAuthenticated(Jwt.authenticate(authenticators.create(p), keycloakToken().sign())).roles());
  }

  @Test
  void aPathThatIsMissingAddsNoRolesAndTheOthersStillCount() {
    Jwt.Provider p = provider().audiences("account").rolesClaim("resource_access.other-client.roles", "realm_access.roles");
    assertEquals(Set.of("default-roles-demo", "offline_access", "admin"),
        assertAuthenticated(Jwt.authenticate(authenticators.create(p), keycloakToken().sign())).roles());
  }

  /** An Auth0 (or Okta custom authorization server) access token: roles in a namespaced claim. */
  @Test
  void auth0NamespacedRolesClaimIsWrittenInBrackets() {
    String token = token()
        .claim("iss", TestTokens.ISSUER)
        .claim("sub", "auth0|64f1c2")
        .claim("aud", List.of("api", "https://tenant.example.com/userinfo"))
        .claim("azp", "Xq4cLientid")
        .claim("https://example.com/roles", List.of("editor", "admin"))
        .claim("https://example.com/groups", "ops")
        .claim("permissions", List.of("read:orders"))
        .sign();
    Jwt.Provider p = provider().rolesClaim("[\"https://example.com/roles\"]", "[\"https://example.com/groups\"]");
    assertEquals(Set.of("editor", "admin", "ops"), assertAuthenticated(Jwt.authenticate(authenticators.create(p), token)).roles());
  }

  @Test
  void theNamespacedClaimWithoutBracketsIsANestedPathAndFindsNothing() {
    String token = token().claim("https://example.com/roles", List.of("admin")).sign();
    Jwt.Provider p = provider().rolesClaim("https://example.com/roles");
    assertEquals(Set.of(), assertAuthenticated(Jwt.authenticate(authenticators.create(p), token)).roles());
  }

  @Test
  void aBadPathInTheListNamesItsIndex() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(provider().rolesClaim("realm_access.roles", "resource_access.")));
    assertEquals("auth.jwt[main].roles_claim[1]: claim path 'resource_access.': expected a name after '.' at index 16", e.getMessage());
  }

  // --- allowed_clients ------------------------------------------------------------------------

  static Stream<Arguments> clients() {
    return Stream.of(
        // azp, client_id, expected code (null: accepted)
        Arguments.of("web", null, null),
        Arguments.of(null, "web", null),
        Arguments.of("web", "web", null),
        Arguments.of("cli", null, null),
        Arguments.of("other", null, FailureCodes.CLIENT_NOT_ALLOWED),
        Arguments.of(null, "other", FailureCodes.CLIENT_NOT_ALLOWED),
        Arguments.of("Web", null, FailureCodes.CLIENT_NOT_ALLOWED),
        Arguments.of("web ", null, FailureCodes.CLIENT_NOT_ALLOWED),
        Arguments.of(null, null, FailureCodes.MISSING_CLIENT),
        Arguments.of("web", "other", FailureCodes.AMBIGUOUS_CLIENT),
        Arguments.of("other", "web", FailureCodes.AMBIGUOUS_CLIENT),
        Arguments.of("web", "cli", FailureCodes.AMBIGUOUS_CLIENT),
        Arguments.of("", null, FailureCodes.MALFORMED),
        Arguments.of(List.of("web"), null, FailureCodes.MALFORMED),
        Arguments.of(null, 7, FailureCodes.MALFORMED));
  }

  @ParameterizedTest(name = "azp={0} client_id={1} -> {2}")
  @MethodSource("clients")
  void allowedClientsMatchAzpElseClientId(Object azp, Object clientId, String code) {
    JwtAuthenticator a = authenticators.create(provider().allowedClients("web", "cli"));
    String token = token().claim("azp", azp).claim("client_id", clientId).sign();
    if (code == null) assertAuthenticated(Jwt.authenticate(a, token));
    else assertRejected(code, Jwt.authenticate(a, token), token);
  }

  @Test
  void withoutAllowedClientsAnyClientIsAccepted() {
    JwtAuthenticator a = authenticators.create(provider());
    assertAuthenticated(Jwt.authenticate(a, token().claim("azp", "web").claim("client_id", "other").sign()));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
  }

  // --- NumericDate bounds ---------------------------------------------------------------------

  static Stream<Arguments> dates() {
    return Stream.of(
        // claim, JSON literal, accepted
        Arguments.of("exp", "18446744073709551616", false), // 2^64
        Arguments.of("exp", "18446744073709551615", false),
        Arguments.of("exp", "9223372036854775807", false), // Long.MAX_VALUE
        Arguments.of("exp", "1e300", false),
        Arguments.of("exp", "1.8e19", false),
        Arguments.of("exp", "253402300800", false), // 10000-01-01T00:00:00Z
        Arguments.of("exp", "253402300799.5", false),
        Arguments.of("exp", "253402300799", true), // 9999-12-31T23:59:59Z
        Arguments.of("exp", "-1", false),
        Arguments.of("exp", "-9223372036854775808", false),
        Arguments.of("exp", "-0.5", false),
        Arguments.of("exp", "1e400", false), // infinite as a double
        Arguments.of("exp", "NaN", false),
        Arguments.of("exp", "Infinity", false),
        Arguments.of("exp", "\"NaN\"", false),
        Arguments.of("exp", "true", false),
        Arguments.of("nbf", "-1", false),
        Arguments.of("nbf", "1e300", false),
        Arguments.of("nbf", "0", true),
        Arguments.of("iat", "-1", false),
        Arguments.of("iat", "18446744073709551616", false),
        Arguments.of("iat", "0", true),
        Arguments.of("iat", "0.0", true));
  }

  @ParameterizedTest(name = "{0}: {1} -> accepted {2}")
  @MethodSource("dates")
  void numericDatesOutsideTheEpochToTheYear9999AreMalformed(String claim, String literal, boolean accepted) {
    JwtAuthenticator a = authenticators.create(provider());
    long now = now();
    String payload = "{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"api\",\"sub\":\"alice\",\"exp\":"
        + (claim.equals("exp") ? literal : String.valueOf(now + 300)) + (claim.equals("exp") ? "" : ",\"" + claim + "\":" + literal) + "}";
    String token = token().rawPayload(payload).sign();
    if (accepted) assertAuthenticated(Jwt.authenticate(a, token));
    else assertRejected(FailureCodes.MALFORMED, Jwt.authenticate(a, token), token);
  }

  // --- max_token_lifetime ---------------------------------------------------------------------

  @Test
  void lifetimeIsExpMinusIatAndMayEqualTheMaximum() {
    JwtAuthenticator a = authenticators.create(provider().maxLifetime(Duration.ofHours(1)));
    long issued = now() - 600;
    assertAuthenticated(Jwt.authenticate(a, token().claim("iat", issued).claim("exp", issued + 3600).sign()));
    String tooLong = token().claim("iat", issued).claim("exp", issued + 3601).sign();
    assertRejected(FailureCodes.LIFETIME_TOO_LONG, Jwt.authenticate(a, tooLong), tooLong);
  }

  @Test
  void withoutIatTheLifetimeLeftIsExpMinusNow() {
    JwtAuthenticator a = authenticators.create(provider().maxLifetime(Duration.ofHours(1)));
    assertAuthenticated(Jwt.authenticate(a, token().claim("iat", null).claim("exp", now() + 3600).sign()));
    String tooLong = token().claim("iat", null).claim("exp", now() + 3601).sign();
    assertRejected(FailureCodes.LIFETIME_TOO_LONG, Jwt.authenticate(a, tooLong), tooLong);
  }

  @Test
  void aYearLongTokenIsRefusedOnlyWhenAMaximumIsSet() {
    String token = token().claim("exp", now() + Duration.ofDays(365).toSeconds()).sign();
    assertAuthenticated(Jwt.authenticate(authenticators.create(provider()), token));
    assertRejected(FailureCodes.LIFETIME_TOO_LONG, Jwt.authenticate(authenticators.create(provider().name("capped")
        .maxLifetime(Duration.ofDays(1))), token), token);
  }
}
