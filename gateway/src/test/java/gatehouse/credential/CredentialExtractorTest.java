package gatehouse.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import gatehouse.config.ApiKeyExtractionConfig;
import gatehouse.config.Policy;
import gatehouse.secret.Secret;
import io.vertx.core.MultiMap;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CredentialExtractorTest {
  private static final Policy JWT = Policy.Jwt.any();
  private static final Policy KEY = new Policy.ApiKey(Set.of());
  private static final Policy ANY = new Policy.Any(Policy.Jwt.any(), new Policy.ApiKey(Set.of()));

  private final CredentialExtractor extractor = new CredentialExtractor(ApiKeyExtractionConfig.defaults());

  private static MultiMap headers(String... pairs) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) h.add(pairs[i], pairs[i + 1]);
    return h;
  }

  private Extraction extract(MultiMap headers, String query, Policy policy) {
    return extractor.extract(headers, Optional.ofNullable(query), policy);
  }

  @Test
  void publicRouteLooksForNothingEvenWhenCredentialsArePresent() {
    assertInstanceOf(Extraction.None.class,
        extract(headers("Authorization", "Bearer a.b.c", "X-API-Key", "k"), null, new Policy.Public()));
  }

  @Test
  void bearerTokenIsFoundCaseInsensitiveScheme() {
    Extraction e = extract(headers("authorization", "bearer abc.def.ghi"), null, JWT);
    Credential c = assertInstanceOf(Extraction.Found.class, e).credential();
    assertEquals("abc.def.ghi", assertInstanceOf(Credential.BearerToken.class, c).secret().reveal());
  }

  @Test
  void twoAuthorizationHeadersAreAmbiguous() {
    Extraction e = extract(headers("Authorization", "Bearer a", "Authorization", "Bearer b"), null, JWT);
    assertEquals("duplicate_authorization", assertInstanceOf(Extraction.Ambiguous.class, e).code());
  }

  @Test
  void bearerWithSpacesOrNoTokenIsMalformed() {
    for (String value : new String[] {"Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Bearer a\"b"}) {
      Extraction e = extract(headers("Authorization", value), null, JWT);
      assertEquals("malformed_authorization", assertInstanceOf(Extraction.Ambiguous.class, e).code(), value);
    }
  }

  @Test
  void otherAuthorizationSchemesAreNotBearerTokens() {
    assertInstanceOf(Extraction.None.class, extract(headers("Authorization", "Basic dXNlcjpwYXNz"), null, JWT));
  }

  @Test
  void bearerTokenAndApiKeyTogetherAreAmbiguousUnderEveryPolicyThatLooks() {
    for (Policy p : new Policy[] {JWT, KEY, ANY}) {
      Extraction e = extract(headers("Authorization", "Bearer abc", "X-API-Key", "k"), null, p);
      assertEquals("multiple_credentials", assertInstanceOf(Extraction.Ambiguous.class, e).code(), p.kind());
      Extraction q = extract(headers("Authorization", "Bearer abc"), "api_key=k", p);
      assertEquals("multiple_credentials", assertInstanceOf(Extraction.Ambiguous.class, q).code(), p.kind());
    }
  }

  @Test
  void apiKeyFromHeaderOrQuery() {
    Credential h = assertInstanceOf(Extraction.Found.class, extract(headers("X-API-Key", "k1"), null, KEY)).credential();
    assertEquals(Credential.Location.HEADER, ((Credential.ApiKey) h).location());
    Credential q = assertInstanceOf(Extraction.Found.class, extract(headers(), "a=1&api_key=k%2B1", KEY)).credential();
    assertEquals(Credential.Location.QUERY, ((Credential.ApiKey) q).location());
    assertEquals("k+1", q.secret().reveal());
  }

  @Test
  void differentApiKeysInHeaderAndQueryAreAmbiguousButTheSameKeyTwiceIsNot() {
    assertEquals("duplicate_api_key", assertInstanceOf(Extraction.Ambiguous.class,
        extract(headers("X-API-Key", "k1"), "api_key=k2", KEY)).code());
    assertInstanceOf(Extraction.Found.class, extract(headers("X-API-Key", "k1"), "api_key=k1", KEY));
    assertEquals("duplicate_api_key", assertInstanceOf(Extraction.Ambiguous.class,
        extract(headers(), "api_key=a&api_key=b", KEY)).code());
    assertEquals("duplicate_api_key", assertInstanceOf(Extraction.Ambiguous.class,
        extract(headers("X-API-Key", "a", "x-api-key", "b"), null, KEY)).code());
  }

  @Test
  void policyDecidesWhereToLook() {
    assertInstanceOf(Extraction.None.class, extract(headers("X-API-Key", "k"), null, JWT));
    assertInstanceOf(Extraction.None.class, extract(headers("Authorization", "Bearer t"), null, KEY));
    assertInstanceOf(Extraction.Found.class, extract(headers("X-API-Key", "k"), null, ANY));
    assertInstanceOf(Extraction.Found.class, extract(headers("Authorization", "Bearer t"), null, ANY));
  }

  @Test
  void queryParameterCanBeDisabled() {
    CredentialExtractor headerOnly = new CredentialExtractor(new ApiKeyExtractionConfig("X-Key", Optional.empty()));
    assertInstanceOf(Extraction.None.class, headerOnly.extract(headers(), Optional.of("api_key=k"), KEY));
    assertInstanceOf(Extraction.Found.class, headerOnly.extract(headers("x-key", "k"), Optional.empty(), KEY));
  }

  @Test
  void apiKeyIsRemovedFromTheForwardedQueryOtherParametersKeepTheirSpelling() {
    Extraction.Found found = assertInstanceOf(Extraction.Found.class, extract(headers(), "a=1&api_key=s3cret&b=%2F", KEY));
    assertEquals(Optional.of("a=1&b=%2F"), found.forwardedQuery());
    assertEquals(Optional.empty(), assertInstanceOf(Extraction.Found.class, extract(headers(), "api_key=s3cret", KEY)).forwardedQuery());
    // Whatever the route: a public one takes no credential and still drops the key.
    assertEquals(Optional.of("x=1"), assertInstanceOf(Extraction.None.class,
        extract(headers(), "api%5Fkey=s3cret&x=1", new Policy.Public())).forwardedQuery());
  }

  @Test
  void secretsNeverShowInToString() {
    Credential c = new Credential.BearerToken(new Secret("very-secret-token"));
    assertEquals(false, c.toString().contains("very-secret"));
    assertEquals(12, c.secret().fingerprint().length());
  }

  @Test
  void theB64TokenLoopAgreesWithTheGrammarOfRfc6750() {
    java.util.regex.Pattern grammar = java.util.regex.Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    String alphabet = "Aa0-._~+/=\" ,;\u00e9";
    java.util.Random random = new java.util.Random(6750);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = random.nextInt(8); n > 0; n--) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      String s = sb.toString();
      assertEquals(grammar.matcher(s).matches(), CredentialExtractor.isB64Token(s), s);
    }
  }
}
