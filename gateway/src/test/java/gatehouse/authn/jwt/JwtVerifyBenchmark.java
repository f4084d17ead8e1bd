package gatehouse.authn.jwt;

import gatehouse.authn.Authentication;
import gatehouse.config.KeySourceConfig;
import gatehouse.credential.Credential;
import gatehouse.crypto.SignatureEngine;
import gatehouse.secret.Secret;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JWT verification per token: a cache hit (one token reused) against a miss (every call a token
 * the cache has not seen, so the signature is checked). Run with {@code bench/jmh.sh JwtVerify}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtVerifyBenchmark {
  private static final int DISTINCT = 2048;

  @Param({"RS256", "ES256", "HS256"})
  public String alg;

  @Param({"hit", "miss"})
  public String cache;

  /** {@code crypto.provider}: the JDK's signatures or the native ones (AWS-LC). */
  @Param({"jdk", "native"})
  public String engine;

  private Vertx vertx;
  private JwtAuthenticator authenticator;
  private String[] tokens;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    MutableClock clock = MutableClock.start();
    TestKeys.TestKey key = switch (alg) {
      case "RS256" -> TestKeys.rsa();
      case "ES256" -> TestKeys.ec256();
      case "HS256" -> TestKeys.hmac();
      default -> throw new IllegalArgumentException(alg);
    };
    KeySourceConfig keys = key == TestKeys.hmac()
        ? new KeySourceConfig.HmacSecret(new Secret(key.secret()))
        : new KeySourceConfig.InMemory(TestKeys.jwks(key));
    boolean hit = cache.equals("hit");
    // A miss run gets a one-entry cache and tokens it cycles through, so every call verifies.
    SignatureEngine signatures = SignatureEngine.select(engine.equals("jdk") ? SignatureEngine.Choice.JDK : SignatureEngine.Choice.NATIVE);
    authenticator = JwtAuthenticator.create(vertx, List.of(Jwt.provider().keys(keys).build()), clock,
        signatures, RemoteKeySource.Tuning.DEFAULTS, hit ? 10_000 : 1);
    int n = hit ? 1 : DISTINCT;
    tokens = new String[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = TestTokens.signedBy(key, clock).claim("jti", "t" + i).sign();
    }
    if (!(verify() instanceof Authentication.Authenticated)) throw new IllegalStateException("the benchmark token does not verify");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    authenticator.close();
    vertx.close();
  }

  /** As a request does it: a new credential per call, so the token is hashed every time. */
  @Benchmark
  public Authentication verify() {
    String token = tokens[next];
    next = next + 1 == tokens.length ? 0 : next + 1;
    return authenticator.authenticate(new Credential.BearerToken(new Secret(token))).result();
  }
}
