package gatehouse.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.ApiKeyExtractionConfig;
import gatehouse.config.Policy;
import gatehouse.testing.TestPki;
import io.vertx.core.MultiMap;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A TLS client certificate counts only where the policy names mtls, and never beside another credential. */
class ClientCertificateExtractionTest {
  private static final X509Certificate CERT = TestPki.ca("Extraction CA").client("orders-client").certificate();
  private final CredentialExtractor extractor = new CredentialExtractor(ApiKeyExtractionConfig.defaults());
  private final Policy.Any anyWithMtls = new Policy.Any(Policy.Jwt.any(), new Policy.ApiKey(Set.of()), Optional.of(new Policy.Mtls(Set.of())));

  private Extraction extract(MultiMap headers, Optional<X509Certificate> cert, Policy policy) {
    return extractor.extract(headers, Optional.empty(), cert, policy);
  }

  @Test
  void anMtlsPolicyTakesTheCertificateAndIgnoresHeaders() {
    MultiMap bearer = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer abc");
    assertEquals(new Extraction.Found(new Credential.ClientCertificate(CERT), Optional.empty()), extract(bearer, Optional.of(CERT), new Policy.Mtls(Set.of())));
    assertEquals(new Extraction.None(Optional.empty()), extract(bearer, Optional.empty(), new Policy.Mtls(Set.of())));
  }

  @Test
  void aCertificateCountsUnderAnyOnlyWhenItNamesMtls() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertEquals(new Extraction.Found(new Credential.ClientCertificate(CERT), Optional.empty()), extract(none, Optional.of(CERT), anyWithMtls));
    assertEquals(new Extraction.None(Optional.empty()), extract(none, Optional.of(CERT), new Policy.Any(Policy.Jwt.any(), new Policy.ApiKey(Set.of()))));
    assertEquals(new Extraction.None(Optional.empty()), extract(none, Optional.of(CERT), Policy.Jwt.any()));
  }

  @Test
  void aCertificateBesideABearerTokenOrApiKeyIsTwoCredentials() {
    for (MultiMap headers : new MultiMap[] {
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer abc"),
        MultiMap.caseInsensitiveMultiMap().add("X-API-Key", "k")}) {
      assertEquals(new Extraction.Ambiguous("multiple_credentials", "a client certificate and a bearer token or API key on one request"),
          extract(headers, Optional.of(CERT), anyWithMtls));
    }
  }
}
