package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import gatehouse.authn.Authentication;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.KeySourceConfig;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import gatehouse.testing.Identities;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every verification rule of issue 3, each asserting the exact failure code. Local key sources only. */
class VerificationRulesTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);

  private Authentication check(JwtAuthenticator a, String token) {
    return Jwt.authenticate(a, token);
  }

  private TestTokens rsaToken() {
    return TestTokens.signedBy(TestKeys.rsa(), clock);
  }

  // --- the happy path -------------------------------------------------------------------------

  @Test
  void validRs256TokenAuthenticatesWithSubjectProviderNameAndExpiry() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().claim("email", "alice@example.com").claim("role", "admin").sign();
    Identity id = assertAuthenticated(check(a, token));
    assertEquals("alice", id.subject());
    assertEquals(Scheme.JWT, id.scheme());
    assertEquals("main", id.issuer());
    assertEquals(Set.of("admin"), id.roles());
    assertEquals(Optional.of(clock.instant().plus(Duration.ofMinutes(5))), id.expiresAt());
    assertEquals(Map.of("X-User-Id", new ClaimValue("sub", "alice"), "X-User-Role", new ClaimValue("role", "admin"),
        "X-User-Email", new ClaimValue("email", "alice@example.com")), Identities.headers(id, Jwt.IDENTITY.claims()));
  }

  @Test
  void futureIsAlreadyCompleteForLocalKeys() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    assertTrue(a.authenticate(TestTokens.bearer(rsaToken().sign())).isComplete());
  }

  @Test
  void credentialOtherThanBearerTokenIsRejectedAsUnsupportedCredential() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    Authentication answer = Jwt.await(a.authenticate(new Credential.ApiKey(new Secret("k"), Credential.Location.HEADER)));
    assertRejected(FailureCodes.UNSUPPORTED_CREDENTIAL, answer, "");
  }

  // --- algorithms -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void tokenWithAlgNoneIsRejectedAsUnsupportedAlgorithmInAnySpelling(String none) {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String unsigned = rsaToken().rawHeader("{\"alg\":\"" + none + "\"}").signingInput() + ".";
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, unsigned), unsigned);
    String withSignature = unsigned + "c2lnbmF0dXJl";
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, withSignature), withSignature);
  }

  @Test
  void hmacTokenSignedWithThePublicKeyIsRejectedAsUnsupportedAlgorithm() {
    // The RS256 -> HS256 key-confusion attack: the attacker knows the public key and uses it as an HMAC secret.
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.InMemory(TestKeys.jwks(TestKeys.rsa()))));
    TestKeys.TestKey forged = TestKeys.hmacWithSecret(TestKeys.rsa().publicPem());
    String token = TestTokens.signedBy(forged, clock).alg(JWSAlgorithm.HS256).kid(TestKeys.rsa().kid()).sign();
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, token), token);
  }

  @Test
  void publicKeyAlgorithmIsRejectedByAnHmacProviderAsUnsupportedAlgorithm() {
    JwtAuthenticator a = authenticators.create(Jwt.hmacProvider(TestKeys.hmac()));
    String token = rsaToken().sign();
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, token), token);
  }

  @Test
  void algorithmOutsideTheConfiguredAllowListIsRejectedAsUnsupportedAlgorithm() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).algorithms("RS256"));
    assertAuthenticated(check(a, rsaToken().sign()));
    String rs512 = rsaToken().alg(JWSAlgorithm.RS512).sign();
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, rs512), rs512);
  }

  @Test
  void hmacAlgorithmWiderThanTheSecretIsNotInTheDefaultAllowList() {
    String secret32 = TestKeys.hmac().secret().substring(0, 32);
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.HmacSecret(new Secret(secret32))));
    TestKeys.TestKey key = TestKeys.hmacWithSecret(secret32);
    assertAuthenticated(check(a, TestTokens.signedBy(key, clock).alg(JWSAlgorithm.HS256).sign()));
    String hs512 = TestTokens.signedBy(TestKeys.hmacWithSecret(TestKeys.hmac().secret()), clock).alg(JWSAlgorithm.HS512).sign();
    assertRejected(FailureCodes.UNSUPPORTED_ALGORITHM, check(a, hs512), hs512);
  }

  @Test
  void tokenWhoseAlgDoesNotFitTheKeyTypeOfItsKidIsRejectedAsKeyMismatch() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa(), TestKeys.ec256()));
    String token = TestTokens.signedBy(TestKeys.ec256(), clock).kid(TestKeys.rsa().kid()).sign();
    assertRejected(FailureCodes.KEY_MISMATCH, check(a, token), token);
  }

  @Test
  void es384TokenNamingAP256KeyIsRejectedAsKeyMismatch() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.ec256(), TestKeys.ec384()));
    String token = TestTokens.signedBy(TestKeys.ec384(), clock).kid(TestKeys.ec256().kid()).sign();
    assertRejected(FailureCodes.KEY_MISMATCH, check(a, token), token);
  }

  @Test
  void algDeclaredOnTheJwkIsTheOnlyAlgorithmThatKeyAccepts() {
    String jwks = "{\"keys\":[" + withMember(TestKeys.rsa(), "alg", "RS256") + "]}";
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.InMemory(jwks)));
    assertAuthenticated(check(a, rsaToken().sign()));
    String ps256 = rsaToken().alg(JWSAlgorithm.PS256).sign();
    assertRejected(FailureCodes.KEY_MISMATCH, check(a, ps256), ps256);
  }

  @Test
  void encryptionKeysInAKeySetAreNeverUsedToVerify() {
    String jwks = "{\"keys\":[" + withMember(TestKeys.rsa(), "use", "enc") + "," + withMember(TestKeys.ec256(), "use", "sig") + "]}";
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.InMemory(jwks)));
    String token = rsaToken().sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, check(a, token), token);
  }

  // --- key selection --------------------------------------------------------------------------

  @Test
  void kidSelectsTheKeyAmongSeveral() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa(), TestKeys.otherRsa()));
    assertAuthenticated(check(a, TestTokens.signedBy(TestKeys.otherRsa(), clock).sign()));
    String wrongKid = TestTokens.signedBy(TestKeys.rsa(), clock).kid(TestKeys.otherRsa().kid()).sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, wrongKid), wrongKid);
  }

  @Test
  void unknownKidIsRejectedAsUnknownKey() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().kid("nobody").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, check(a, token), token);
  }

  @Test
  void tokenWithoutKidIsVerifiedByTryingTheKeysOfTheRightType() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.ec256(), TestKeys.rsa(), TestKeys.otherRsa()));
    assertAuthenticated(check(a, TestTokens.signedBy(TestKeys.otherRsa(), clock).noKid().sign()));
  }

  @Test
  void tokenWithoutKidTriesAtMostFourKeys() {
    TestKeys.TestKey[] keys = new TestKeys.TestKey[5];
    for (int i = 0; i < 5; i++) keys[i] = TestKeys.get(TestKeys.Kind.EC_P256, 10 + i);
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(keys));
    assertAuthenticated(check(a, TestTokens.signedBy(keys[3], clock).noKid().sign()));
    String fifth = TestTokens.signedBy(keys[4], clock).noKid().sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, fifth), fifth);
  }

  @Test
  void noKeyOfTheTypeTheAlgNeedsIsRejectedAsUnknownKey() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = TestTokens.signedBy(TestKeys.ec256(), clock).noKid().sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, check(a, token), token);
  }

  @Test
  void keyEmbeddedInTheJwkHeaderIsNeverUsed() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    TestKeys.TestKey attacker = TestKeys.otherRsa();
    String token = TestTokens.signedBy(attacker, clock).noKid()
        .header("jwk", attacker.publicJwk().toPublicJWK().toJSONObject()).sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, token), token);
  }

  @Test
  void keyUrlsInJkuAndX5uAreNeverFetched() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = TestTokens.signedBy(TestKeys.otherRsa(), clock).noKid()
        .header("jku", "http://127.0.0.1:1/jwks.json").header("x5u", "http://127.0.0.1:1/cert.pem").sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, token), token);
  }

  @Test
  void certificateChainInX5cIsNeverUsed() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = TestTokens.signedBy(TestKeys.otherRsa(), clock).noKid()
        .header("x5c", List.of("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")).sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, token), token);
  }

  // --- header rules ---------------------------------------------------------------------------

  @Test
  void critHeaderWithAnythingIsRejectedAsUnsupportedCriticalHeader() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().header("crit", List.of("http://example.com/ext")).header("http://example.com/ext", true).sign();
    assertRejected(FailureCodes.UNSUPPORTED_CRITICAL_HEADER, check(a, token), token);
  }

  @Test
  void unencodedPayloadOptionIsRejectedAsUnsupportedCriticalHeader() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().header("b64", false).header("crit", List.of("b64")).sign();
    assertRejected(FailureCodes.UNSUPPORTED_CRITICAL_HEADER, check(a, token), token);
  }

  @Test
  void typIsEnforcedWhenConfigured() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).type("at+jwt"));
    assertAuthenticated(check(a, rsaToken().header("typ", "at+jwt").sign()));
    assertAuthenticated(check(a, rsaToken().header("typ", "application/AT+JWT").sign()));
    String plainJwt = rsaToken().header("typ", "JWT").sign();
    assertRejected(FailureCodes.WRONG_TYPE, check(a, plainJwt), plainJwt);
    String noTyp = rsaToken().sign();
    assertRejected(FailureCodes.WRONG_TYPE, check(a, noTyp), noTyp);
  }

  @Test
  void typIsIgnoredWhenNotConfigured() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    assertAuthenticated(check(a, rsaToken().header("typ", "anything").sign()));
  }

  // --- time -----------------------------------------------------------------------------------

  @Test
  void expiredTokenIsRejectedAsExpired() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().sign();
    clock.advance(Duration.ofMinutes(6).plusSeconds(1));
    assertRejected(FailureCodes.EXPIRED, check(a, token), token);
  }

  @Test
  void tokenPastExpButWithinClockSkewIsAccepted() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).skew(Duration.ofSeconds(60)));
    String token = rsaToken().sign();
    clock.advance(Duration.ofMinutes(5).plusSeconds(59));
    assertAuthenticated(check(a, token));
    clock.advance(Duration.ofSeconds(1));
    assertRejected(FailureCodes.EXPIRED, check(a, token), token);
  }

  @Test
  void tokenWithoutExpIsRejectedAsMissingClaim() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().claim("exp", null).sign();
    assertRejected(FailureCodes.MISSING_CLAIM, check(a, token), token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exp", "nbf", "iat"})
  void numericDateGivenAsStringIsRejectedAsMalformed(String claim) {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().claim(claim, String.valueOf(clock.instant().getEpochSecond() + 10)).sign();
    assertRejected(FailureCodes.MALFORMED, check(a, token), token);
  }

  @Test
  void fractionalNumericDatesAreAccepted() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    assertAuthenticated(check(a, rsaToken().claim("exp", clock.instant().getEpochSecond() + 100.5).sign()));
  }

  @Test
  void tokenBeforeItsNbfIsRejectedAsNotYetValid() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).skew(Duration.ofSeconds(60)));
    long now = clock.instant().getEpochSecond();
    String later = rsaToken().claim("nbf", now + 61).sign();
    assertRejected(FailureCodes.NOT_YET_VALID, check(a, later), later);
    assertAuthenticated(check(a, rsaToken().claim("nbf", now + 60).sign()));
  }

  @Test
  void tokenIssuedInTheFutureBeyondTheSkewIsRejectedAsNotYetValid() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).skew(Duration.ofSeconds(60)));
    long now = clock.instant().getEpochSecond();
    String token = rsaToken().claim("iat", now + 120).sign();
    assertRejected(FailureCodes.NOT_YET_VALID, check(a, token), token);
    assertAuthenticated(check(a, rsaToken().claim("iat", now + 30).sign()));
  }

  // --- issuer and audience --------------------------------------------------------------------

  @Test
  void tokenFromAnIssuerNoProviderNamesIsRejectedAsUnknownIssuer() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String other = rsaToken().claim("iss", "https://evil.test").sign();
    assertRejected(FailureCodes.UNKNOWN_ISSUER, check(a, other), other);
    String trailingSlash = rsaToken().claim("iss", TestTokens.ISSUER + "/").sign();
    assertRejected(FailureCodes.UNKNOWN_ISSUER, check(a, trailingSlash), trailingSlash);
    String none = rsaToken().claim("iss", null).sign();
    assertRejected(FailureCodes.UNKNOWN_ISSUER, check(a, none), none);
  }

  @Test
  void issNotAStringIsRejectedAsMalformed() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().claim("iss", List.of(TestTokens.ISSUER)).sign();
    assertRejected(FailureCodes.MALFORMED, check(a, token), token);
  }

  @Test
  void eachTokenIsVerifiedByTheProviderItsIssNames() {
    JwtAuthenticator a = authenticators.create(
        Jwt.jwksProvider(TestKeys.rsa()).name("first").issuer("https://one.test"),
        Jwt.jwksProvider(TestKeys.ec256()).name("second").issuer("https://two.test"));
    assertEquals("first", assertAuthenticated(check(a, rsaToken().claim("iss", "https://one.test").sign())).issuer());
    assertEquals("second", assertAuthenticated(check(a,
        TestTokens.signedBy(TestKeys.ec256(), clock).claim("iss", "https://two.test").sign())).issuer());
    // A key trusted by one provider does not vouch for a token naming the other.
    String crossed = rsaToken().claim("iss", "https://two.test").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, check(a, crossed), crossed);
  }

  @Test
  void audienceMayBeAStringOrAnArray() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).audiences("api", "admin-api"));
    assertAuthenticated(check(a, rsaToken().claim("aud", "admin-api").sign()));
    assertAuthenticated(check(a, rsaToken().claim("aud", List.of("other", "api")).sign()));
  }

  @Test
  void tokenForAnotherAudienceIsRejectedAsWrongAudience() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String other = rsaToken().claim("aud", List.of("billing", "web")).sign();
    assertRejected(FailureCodes.WRONG_AUDIENCE, check(a, other), other);
    String missing = rsaToken().claim("aud", null).sign();
    assertRejected(FailureCodes.WRONG_AUDIENCE, check(a, missing), missing);
    String number = rsaToken().claim("aud", 7).sign();
    assertRejected(FailureCodes.MALFORMED, check(a, number), number);
  }

  @Test
  void audienceIsNotCheckedWhenNoneIsConfigured() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).audiences());
    assertAuthenticated(check(a, rsaToken().claim("aud", null).sign()));
  }

  @Test
  void missingRequiredClaimIsRejectedAsMissingClaim() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).required("sub", "tenant.id"));
    assertAuthenticated(check(a, rsaToken().claim("tenant", Map.of("id", "t1")).sign()));
    String noTenant = rsaToken().sign();
    assertRejected(FailureCodes.MISSING_CLAIM, check(a, noTenant), noTenant);
    String noSub = rsaToken().claim("sub", null).claim("tenant", Map.of("id", "t1")).sign();
    assertRejected(FailureCodes.MISSING_CLAIM, check(a, noSub), noSub);
  }

  @Test
  void tokenWithoutSubAuthenticatesWithAnEmptySubjectWhenSubIsNotRequired() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    Identity id = assertAuthenticated(check(a, rsaToken().claim("sub", null).sign()));
    assertEquals("", id.subject());
    assertFalse(Identities.headers(id, Jwt.IDENTITY.claims()).containsKey("X-User-Id"));
  }

  // --- signatures -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "ES512"})
  void ecdsaSignatureOfZerosIsRejectedAsBadSignature(String algName) {
    // CVE-2022-21449: r = s = 0 verified any message on unpatched JDK 15-18.
    JWSAlgorithm alg = JWSAlgorithm.parse(algName);
    TestKeys.TestKey key = TestKeys.get(TestKeys.kindFor(alg), 0);
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(key));
    int size = algName.equals("ES256") ? 64 : algName.equals("ES384") ? 96 : 132;
    String token = TestTokens.signedBy(key, clock).withSignature(new byte[size]);
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, token), token);
    String derZero = TestTokens.signedBy(key, clock).withSignature(new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00});
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, derZero), derZero);
  }

  @Test
  void emptySignatureIsRejectedAsBadSignature() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().signingInput() + ".";
    assertRejected(FailureCodes.BAD_SIGNATURE, check(a, token), token);
  }

  // --- size -----------------------------------------------------------------------------------

  @Test
  void tokenOverTheSizeLimitIsRejectedBeforeParsing() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String junk = "x".repeat(50 * 1024);
    assertRejected(FailureCodes.TOKEN_TOO_LARGE, check(a, junk), "");
    String big = rsaToken().claim("padding", "p".repeat(9000)).sign();
    assertRejected(FailureCodes.TOKEN_TOO_LARGE, check(a, big), big);
  }

  @Test
  void providerSizeLimitAppliesToItsOwnTokens() {
    JwtAuthenticator a = authenticators.create(
        Jwt.jwksProvider(TestKeys.rsa()).maxTokenBytes(1000),
        Jwt.jwksProvider(TestKeys.ec256()).name("big").issuer("https://big.test").maxTokenBytes(8192));
    String token = rsaToken().claim("padding", "p".repeat(1000)).sign();
    assertRejected(FailureCodes.TOKEN_TOO_LARGE, check(a, token), token);
    assertAuthenticated(check(a, TestTokens.signedBy(TestKeys.ec256(), clock)
        .claim("iss", "https://big.test").claim("padding", "p".repeat(1000)).sign()));
  }

  // --- logging --------------------------------------------------------------------------------

  @Test
  void failureDetailNamesTheTokenByItsFingerprintOnly() {
    JwtAuthenticator a = authenticators.create(Jwt.jwksProvider(TestKeys.rsa()));
    String token = rsaToken().sign();
    clock.advance(Duration.ofHours(1));
    Authentication.Rejected r = (Authentication.Rejected) check(a, token);
    assertTrue(r.failure().detail().contains(new Secret(token).fingerprint()), r.failure().detail());
    assertFalse(r.failure().detail().contains(token));
  }

  // --- config checked at load -----------------------------------------------------------------

  @Test
  void hmacSecretShorterThan32BytesIsRefusedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.provider().keys(new KeySourceConfig.HmacSecret(new Secret("short-secret")))));
    assertEquals("auth.jwt[main].secret: HMAC secret must be at least 32 bytes (RFC 7518 section 3.2), got 12", e.getMessage());
  }

  @Test
  void hmacAlgorithmOnAPublicKeyProviderIsRefusedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).algorithms("RS256", "HS256")));
    assertEquals("auth.jwt[main].algorithms: HS256 needs an HMAC secret, but this provider has public keys"
        + " (key confusion, RFC 8725 section 2.1)", e.getMessage());
  }

  @Test
  void publicKeyAlgorithmOnAnHmacProviderIsRefusedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.hmacProvider(TestKeys.hmac()).algorithms("RS256")));
    assertEquals("auth.jwt[main].algorithms: RS256 needs public keys, but this provider has an HMAC secret", e.getMessage());
  }

  @Test
  void algorithmNoneOrUnknownIsRefusedAtLoad() {
    assertEquals("auth.jwt[main].algorithms: 'none' is never accepted", assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).algorithms("none"))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).algorithms("RS1"))).getMessage()
        .startsWith("auth.jwt[main].algorithms: unsupported algorithm 'RS1'"));
  }

  @Test
  void twoProvidersWithOneIssuerAreRefusedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.jwksProvider(TestKeys.rsa()), Jwt.jwksProvider(TestKeys.ec256()).name("second")));
    assertEquals("auth.jwt[second].issuer: '" + TestTokens.ISSUER + "' is also the issuer of provider main;"
        + " a token must match one provider", e.getMessage());
  }

  @Test
  void plainHttpJwksUriIsRefusedUnlessLoopback() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.provider().keys(new KeySourceConfig.JwksUri(URI.create("http://idp.example.com/jwks")))));
    assertEquals("auth.jwt[main].jwks_uri: http://idp.example.com/jwks must be https"
        + " (plain http is allowed only to a loopback address)", e.getMessage());
  }

  @Test
  void invalidClaimPathIsRefusedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.jwksProvider(TestKeys.rsa()).rolesClaim("realm_access.")));
    assertEquals("auth.jwt[main].roles_claim: claim path 'realm_access.': expected a name after '.' at index 13", e.getMessage());
  }

  // --- helpers --------------------------------------------------------------------------------

  private static String withMember(TestKeys.TestKey key, String name, String value) {
    Map<String, Object> json = new java.util.LinkedHashMap<>(key.publicJwk().toJSONObject());
    json.put(name, value);
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(json);
  }
}
