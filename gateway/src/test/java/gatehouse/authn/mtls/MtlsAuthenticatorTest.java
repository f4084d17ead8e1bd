package gatehouse.authn.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Authentication;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestPki;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class MtlsAuthenticatorTest {
  private static final TestPki.Ca CA = TestPki.ca("Unit CA");
  private final MutableClock clock = new MutableClock(java.time.Instant.now());
  private final MtlsAuthenticator authenticator = MtlsAuthenticator.create(clock);
  /** identity.claims of the test: stage 6 selects these from the certificate's names. */
  private static final Map<String, String> CLAIMS = Map.of("sub", "X-User-Id", "email", "X-User-Email", "uri", "X-Client-Uri");

  @Test
  void theSubjectIsTheCommonNameAndEveryNameCountsForPolicies() {
    var issued = CA.issue("CN=orders-client,O=Tests", List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://t/orders"),
        new GeneralName(GeneralName.dNSName, "orders.internal"), new GeneralName(GeneralName.rfc822Name, "ops@example.com")),
        KeyPurposeId.id_kp_clientAuth, Duration.ofDays(1));
    Identity id = ((Authentication.Authenticated) authenticator.identify(issued.certificate())).identity();
    assertEquals("orders-client", id.subject());
    assertEquals(Scheme.MTLS, id.scheme());
    assertEquals(Set.of("orders-client", "spiffe://t/orders", "orders.internal", "ops@example.com"), id.certificateNames());
    assertEquals(Map.of("X-User-Id", "orders-client", "X-User-Email", "ops@example.com", "X-Client-Uri", List.of("spiffe://t/orders")),
        gatehouse.testing.Identities.headerValues(id, CLAIMS));
  }

  @Test
  void withoutACommonNameTheFirstUriNamesTheHolder() {
    var issued = CA.issue("O=Tests", List.of(new GeneralName(GeneralName.dNSName, "a.internal"),
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://t/a")), KeyPurposeId.id_kp_clientAuth, Duration.ofDays(1));
    assertEquals("spiffe://t/a", ((Authentication.Authenticated) authenticator.identify(issued.certificate())).identity().subject());
  }

  @Test
  void aCertificateThatExpiredDuringALongConnectionIsRejected() {
    var issued = CA.client("orders-client");
    clock.set(issued.certificate().getNotAfter().toInstant().plusSeconds(1));
    assertEquals("expired", ((Authentication.Rejected) authenticator.identify(issued.certificate())).failure().code());
  }

  @Test
  void aCertificateWithoutAnyNameIsRejected() {
    var issued = CA.issue("O=Tests", List.of(), KeyPurposeId.id_kp_clientAuth, Duration.ofDays(1));
    assertEquals("missing_claim", ((Authentication.Rejected) authenticator.identify(issued.certificate())).failure().code());
  }
}
