package gatehouse.authn.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Authentication;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A key endpoint behind a private CA: trusted through {@code ca}, refused without it. */
class RemoteKeyTrustTest {
  private final MutableClock clock = MutableClock.start();
  private Vertx vertx;
  private SelfSignedCertificate certificate;
  private LocalJwksServer server;
  private JwtAuthenticator authenticator;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
    certificate = SelfSignedCertificate.create("localhost");
    server = LocalJwksServer.startTls(vertx, TestKeys.jwks(TestKeys.ec256()), certificate);
  }

  @AfterEach
  void stop() {
    if (authenticator != null) authenticator.close();
    server.close();
    certificate.delete();
    Jwt.await(vertx.close());
  }

  private Authentication verifyWith(Optional<Path> ca) {
    URI jwks = URI.create("https://localhost:" + server.port() + "/jwks.json");
    JwtProviderConfig.RemoteKeys remote = new JwtProviderConfig.RemoteKeys(Duration.ofSeconds(30), Duration.ofHours(24), ca);
    authenticator = JwtAuthenticator.create(vertx,
        java.util.List.of(Jwt.provider().keys(new KeySourceConfig.JwksUri(jwks)).remote(remote).build()), clock, Authenticators.ENGINE);
    Jwt.await(authenticator.settled());
    return Jwt.await(authenticator.authenticate(TestTokens.bearer(TestTokens.signedBy(TestKeys.ec256(), clock).sign())));
  }

  @Test
  void aKeyEndpointSignedByTheConfiguredCaIsTrusted() {
    assertInstanceOf(Authentication.Authenticated.class, verifyWith(Optional.of(Path.of(certificate.certificatePath()))));
    assertEquals(1, server.fetches());
  }

  @Test
  void withoutTheCaTheEndpointIsNotTrustedAndTokensAreUnverifiable() {
    Authentication a = verifyWith(Optional.empty());
    assertEquals("jwks:main", assertInstanceOf(Authentication.Unverifiable.class, a).dependency());
    assertTrue(authenticator.status().get(0).lastError().isPresent());
  }
}
