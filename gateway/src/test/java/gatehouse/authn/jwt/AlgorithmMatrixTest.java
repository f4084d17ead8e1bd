package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import gatehouse.config.KeySourceConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.secret.Secret;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported algorithm × {valid, signed by another key, payload tampered} × {JDK, native signatures}: typed rows,
 * one assertion each.
 */
class AlgorithmMatrixTest {
  enum Case { VALID, WRONG_KEY, TAMPERED_PAYLOAD }

  /** The native provider ships for Linux x86-64 (where CI runs); elsewhere its rows are skipped. */
  private static final Optional<SignatureEngine> NATIVE = nativeEngine();

  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    for (JWSAlgorithm alg : TestKeys.allAlgorithms()) {
      for (Case c : Case.values()) for (String engine : List.of("jdk", "native")) rows.add(Arguments.of(alg.getName(), c, engine));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("rows")
  void algorithmMatrix(String algName, Case c, String engineName) {
    assumeTrue(engineName.equals("jdk") || NATIVE.isPresent(), "no native provider on this machine");
    SignatureEngine engine = engineName.equals("jdk") ? SignatureEngine.jdk() : NATIVE.get();
    JWSAlgorithm alg = JWSAlgorithm.parse(algName);
    TestKeys.Kind kind = TestKeys.kindFor(alg);
    TestKeys.TestKey key = TestKeys.get(kind, 0);
    TestKeys.TestKey other = TestKeys.get(kind, 1).withKid(key.kid());
    KeySourceConfig source = kind == TestKeys.Kind.HMAC
        ? new KeySourceConfig.HmacSecret(new Secret(key.secret()))
        : new KeySourceConfig.InMemory(TestKeys.jwks(key));
    JwtAuthenticator authenticator = authenticators.createOn(engine, Jwt.provider().keys(source));

    switch (c) {
      case VALID:
        assertAuthenticated(Jwt.authenticate(authenticator, TestTokens.signedBy(key, clock).alg(alg).sign()));
        break;
      case WRONG_KEY: {
        String token = TestTokens.signedBy(other, clock).alg(alg).sign();
        assertRejected(FailureCodes.BAD_SIGNATURE, Jwt.authenticate(authenticator, token), token);
        break;
      }
      case TAMPERED_PAYLOAD: {
        String token = TestTokens.signedBy(key, clock).alg(alg).sign();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", TestTokens.ISSUER);
        claims.put("aud", TestTokens.AUDIENCE);
        claims.put("sub", "mallory");
        claims.put("exp", clock.instant().getEpochSecond() + 300);
        String tampered = TestTokens.tamper(token, claims);
        assertRejected(FailureCodes.BAD_SIGNATURE, Jwt.authenticate(authenticator, tampered), tampered);
        break;
      }
      default:
        throw new AssertionError(c);
    }
  }

  private static Optional<SignatureEngine> nativeEngine() {
    SignatureEngine auto = SignatureEngine.select(SignatureEngine.Choice.AUTO);
    if (System.getenv("CI") != null && !auto.isNative()) throw new AssertionError("CI runs the native rows: " + auto.fallbackReason());
    return auto.isNative() ? Optional.of(auto) : Optional.empty();
  }
}
