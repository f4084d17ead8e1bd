package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** The gateway's own check of a client's chain against {@code client_ca}, which decides what {@code client_auth: request} admits. */
class ClientChainsTest {
  static final TestPki.Ca CA = TestPki.ca("Client CA");
  static final ClientChains CHAINS = chains(CA);
  static final Instant NOW = Instant.now();

  static ClientChains chains(TestPki.Ca... cas) {
    StringBuilder pem = new StringBuilder();
    for (TestPki.Ca ca : cas) pem.append(TestPki.certificatePem(ca.certificate));
    try {
      return ClientChains.parse(pem.toString().getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static Optional<X509Certificate> verdict(ClientChains chains, TestPki.Issued cert, Instant at) {
    return chains.verify(List.of(cert.certificate(), cert.issuer()), at).at(at);
  }

  @Test
  void aChainToAClientCaIsAnIdentityWithOrWithoutTheCaCertificateSent() {
    TestPki.Issued c = CA.client("orders");
    assertEquals(Optional.of(c.certificate()), verdict(CHAINS, c, NOW));
    assertEquals(Optional.of(c.certificate()), CHAINS.verify(List.of(c.certificate()), NOW).at(NOW));
  }

  @Test
  void noCertificateAnotherCaOrAForgedChainIsNone() {
    assertEquals(Optional.empty(), CHAINS.verify(List.of(), NOW).at(NOW));
    assertEquals(Optional.empty(), verdict(CHAINS, TestPki.ca("Other CA").client("orders"), NOW));
    // A certificate of another CA that names this CA's subject as issuer: the signature does not verify.
    TestPki.Ca impostor = TestPki.ca("Client CA");
    assertEquals(Optional.empty(), CHAINS.verify(List.of(impostor.client("orders").certificate(), CA.certificate), NOW).at(NOW));
  }

  @Test
  void aCertificateIsAnIdentityOnlyWithinTheValidityOfTheWholeChain() {
    TestPki.Issued expired = CA.issue("CN=late", List.of(), KeyPurposeId.id_kp_clientAuth, Duration.ofMinutes(30));
    assertEquals(Optional.empty(), verdict(CHAINS, expired, NOW));
    TestPki.Issued c = CA.client("orders");
    ClientChains.Verdict v = CHAINS.verify(List.of(c.certificate(), c.issuer()), NOW);
    assertEquals(Optional.of(c.certificate()), v.at(NOW));
    // A verdict kept on a TLS session is compared again on each request: the connection outlives the certificate.
    assertEquals(Optional.empty(), v.at(c.certificate().getNotAfter().toInstant().plusSeconds(1)));
    assertEquals(Optional.empty(), v.at(c.certificate().getNotBefore().toInstant().minusSeconds(1)));
  }

  @Test
  void aLeafWhoseExtendedKeyUsageLeavesOutClientAuthenticationIsNone() {
    TestPki.Issued server = CA.issue("CN=web", List.of(), KeyPurposeId.id_kp_serverAuth, Duration.ofDays(1));
    assertEquals(Optional.empty(), verdict(CHAINS, server, NOW));
    TestPki.Issued any = CA.issue("CN=any", List.of(), KeyPurposeId.anyExtendedKeyUsage, Duration.ofDays(1));
    assertEquals(Optional.of(any.certificate()), verdict(CHAINS, any, NOW));
  }

  @Test
  void eachOfSeveralClientCasVouchesForItsOwn() {
    TestPki.Ca second = TestPki.ca("Second CA");
    ClientChains both = chains(CA, second);
    TestPki.Issued a = CA.client("a");
    TestPki.Issued b = second.client("b");
    assertEquals(Optional.of(a.certificate()), verdict(both, a, NOW));
    assertEquals(Optional.of(b.certificate()), verdict(both, b, NOW));
    assertEquals(Optional.empty(), verdict(CHAINS, b, NOW));
    assertEquals(2, both.acceptingTrustManager().getAcceptedIssuers().length, "the certificate request names every client CA");
  }

  @Test
  void theHandshakesTrustManagerAcceptsEveryClientAndTrustsNoServer() throws Exception {
    var tm = CHAINS.acceptingTrustManager();
    TestPki.Issued stranger = TestPki.ca("Other CA").client("x");
    tm.checkClientTrusted(new X509Certificate[] {stranger.certificate()}, "EC");
    assertThrows(CertificateException.class, () -> tm.checkServerTrusted(new X509Certificate[] {stranger.certificate()}, "EC"));
  }

  @Test
  void aClientCaFileWithoutACertificateIsRefused() {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> ClientChains.parse(new byte[0]));
    assertEquals("client_ca holds no certificate", e.getMessage());
  }
}
