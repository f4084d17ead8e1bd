package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Issue 18, what the key sources log: a key the gateway ignores ({@code use: enc}, as Keycloak
 * publishes beside its signing keys) is warned about once per provider when it appears, not on
 * every fetch or reload; durations read {@code 30s}, not {@code PT30S}.
 */
class JwksLogLinesTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.ownVertx(clock);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("gatehouse.authn.jwt");
  private final String provider = "enc-" + UUID.randomUUID(); // the memory lives as long as the JVM
  private LocalJwksServer server;

  @BeforeEach
  void start() throws Exception {
    logs.start();
    logger.addAppender(logs);
    server = authenticators.closeAfterTest(LocalJwksServer.start(authenticators.vertx(), jwks(encKey("enc-1"))));
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
  }

  private static JWK encKey(String kid) throws Exception {
    return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.ENCRYPTION).keyID(kid).generate().toPublicJWK();
  }

  private static String jwks(JWK... extra) throws Exception {
    List<JWK> keys = new ArrayList<>(JWKSet.parse(TestKeys.jwks(TestKeys.ec256())).getKeys());
    keys.addAll(List.of(extra));
    return new JWKSet(keys).toString();
  }

  private JwtAuthenticator start(JwtAuthenticator a) {
    Jwt.await(a.settled());
    return a;
  }

  private JwtAuthenticator remote() {
    return start(authenticators.create(Jwt.provider().name(provider).keys(new KeySourceConfig.JwksUri(server.jwksUri()))));
  }

  /** One more fetch, by a token with an unknown kid past the minimum refresh interval. */
  private void fetchAgain(JwtAuthenticator a) {
    clock.advance(Duration.ofSeconds(30));
    String ghost = TestTokens.signedBy(TestKeys.ec256(), clock).kid("ghost").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, ghost), ghost);
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("ignoring")).toList();
  }

  @Test
  void anEncryptionKeyIsWarnedAboutOnceAcrossFetchesAndReloads() throws Exception {
    JwtAuthenticator a = remote();
    fetchAgain(a);
    fetchAgain(a);
    JwtAuthenticator reloaded = remote();
    fetchAgain(reloaded);
    assertEquals(5, server.fetches());
    assertEquals(List.of("jwks:" + provider + " ignoring key 'enc-1': use is 'enc', not 'sig'"), warnings());
  }

  @Test
  void aNewIgnoredKeyIsWarnedAboutAndAReturningOneAgain() throws Exception {
    JwtAuthenticator a = remote();
    server.setJwks(jwks(encKey("enc-1"), encKey("enc-2")));
    fetchAgain(a);
    server.setJwks(jwks());
    fetchAgain(a);
    server.setJwks(jwks(encKey("enc-2")));
    fetchAgain(a);
    assertEquals(List.of(
        "jwks:" + provider + " ignoring key 'enc-1': use is 'enc', not 'sig'",
        "jwks:" + provider + " ignoring key 'enc-2': use is 'enc', not 'sig'",
        "jwks:" + provider + " ignoring key 'enc-2': use is 'enc', not 'sig'"), warnings());
  }

  @Test
  void aLocalKeySetIsWarnedAboutOnceAcrossReloads() throws Exception {
    Jwt.Provider p = Jwt.provider().name(provider).keys(new KeySourceConfig.InMemory(jwks(encKey("enc-local"))));
    authenticators.create(p);
    authenticators.create(p);
    assertEquals(List.of("auth.jwt[" + provider + "]: ignoring key 'enc-local': use is 'enc', not 'sig'"), warnings());
  }

  @Test
  void anOutageWarningGivesAgesInReadableUnits() {
    JwtAuthenticator a = remote();
    server.failWith(500);
    clock.advance(Duration.ofSeconds(30).plusMillis(4));
    fetchFails(a);
    clock.advance(Duration.ofHours(24));
    fetchFails(a);
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(" old")).toList();
    assertEquals(List.of(
        "jwks:" + provider + " refresh failed; serving the last good key set (30s old) for up to 24h: GET " + server.jwksUri()
            + " answered 500",
        "jwks:" + provider + " key set is 24h30s old, past the stale maximum 24h; tokens of this provider answer 503 until a fetch succeeds"),
        lines);
  }

  private void fetchFails(JwtAuthenticator a) {
    String ghost = TestTokens.signedBy(TestKeys.ec256(), clock).kid("ghost").sign();
    Jwt.authenticate(a, ghost);
    Jwt.await(a.settled());
  }
}
