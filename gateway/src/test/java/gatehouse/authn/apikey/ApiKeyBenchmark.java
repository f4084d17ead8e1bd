package gatehouse.authn.apikey;

import static gatehouse.authn.apikey.KeyStores.await;

import gatehouse.authn.Authentication;
import gatehouse.config.ApiKeysConfig;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestDatabases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
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
 * An API key answered from the key cache, as a request sees it: a new credential per call (format
 * and checksum check, SHA-256, cache look-up), with or without the key's own rate limit. The store
 * is a real SQLite file, asked once in the set-up. Run with {@code bench/jmh.sh ApiKey}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ApiKeyBenchmark {
  private static final Duration TICK = Duration.ofNanos(100_000);

  @Param({"none", "per-key"})
  public String rateLimit;

  private Vertx vertx;
  private TestDatabases.Db db;
  private MutableClock clock;
  private boolean limited;
  private ApiKeyAuthenticator authenticator;
  private String key;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    db = TestDatabases.sqlite();
    clock = MutableClock.start();
    ApiKeysConfig config = KeyStores.config(db.store(), "    cache_ttl: 24h");
    authenticator = new ApiKeyAuthenticator(vertx, new JdbcApiKeyStore(vertx, config.store()), config, clock, new SecureRandom());
    limited = rateLimit.equals("per-key");
    // The highest limit a key may have (1,000,000 a minute): the authenticator reports it with the
    // identity and the limit stage, not measured here, enforces it.
    Optional<Integer> limit = limited ? Optional.of(1_000_000) : Optional.empty();
    key = await(authenticator.admin().create(new NewKey("bench", Optional.of("bench"), Set.of("bench"), limit, Optional.empty())))
        .key().reveal();
    if (!(await(check()) instanceof Authentication.Authenticated)) throw new IllegalStateException("the benchmark key is refused");
    if (!check().isComplete()) throw new IllegalStateException("a cached key should be answered without waiting");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    await(authenticator.close());
    db.close();
    await(vertx.close());
  }

  private Future<Authentication> check() {
    return authenticator.authenticate(new Credential.ApiKey(new Secret(key), Credential.Location.HEADER));
  }

  @Benchmark
  public Authentication cacheHit() {
    if (limited) clock.advance(TICK);
    return check().result();
  }
}
