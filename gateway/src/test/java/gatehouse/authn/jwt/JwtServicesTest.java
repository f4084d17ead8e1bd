package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import gatehouse.authn.Identity;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Authenticators compiled from successive configs over one {@link JwtServices}, as snapshots are. */
class JwtServicesTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.ownVertx(clock);
  private JwtServices services;
  private LocalJwksServer server;

  @BeforeEach
  void start() {
    server = authenticators.closeAfterTest(LocalJwksServer.start(authenticators.vertx(), TestKeys.jwks(TestKeys.ec256())));
    services = authenticators.closeAfterTest(new JwtServices(authenticators.vertx(), clock, Authenticators.ENGINE,
        RemoteKeySource.Tuning.DEFAULTS, 100));
  }

  private Jwt.Provider remote() {
    return Jwt.provider().keys(new KeySourceConfig.JwksUri(server.jwksUri()));
  }

  @Test
  void aRemoteProviderWithAnEqualConfigKeepsItsKeySourceAndAChangedOneGetsANewOne() {
    Jwt.await(JwtAuthenticator.create(services, List.of(remote().build())).settled());
    assertEquals(1, server.fetches());

    Jwt.await(JwtAuthenticator.create(services, List.of(remote().build())).settled());
    assertEquals(1, server.fetches(), "an equal config is served by the running key source");

    Jwt.await(JwtAuthenticator.create(services, List.of(remote().audiences("other").build())).settled());
    assertEquals(2, server.fetches(), "a changed config starts a key source of its own, which fetches");
  }

  @Test
  void aCachedIdentityAnswersOnlyForTheProviderThatVerifiedIt() {
    String token = TestTokens.signedBy(TestKeys.ec256(), clock).claim("groups", List.of("admin")).sign();
    Jwt.Provider before = Jwt.jwksProvider(TestKeys.ec256());
    Jwt.Provider after = Jwt.jwksProvider(TestKeys.ec256()).rolesClaim("groups");
    Identity cached = assertAuthenticated(Jwt.authenticate(JwtAuthenticator.create(services, List.of(before.build())), token));

    Identity now = assertAuthenticated(Jwt.authenticate(JwtAuthenticator.create(services, List.of(after.build())), token));

    assertNotEquals(cached, now);
    assertEquals(assertAuthenticated(Jwt.authenticate(authenticators.create(after), token)), now);
  }
}
