package gatehouse.authn.jwt;

import gatehouse.config.JwtProviderConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lifecycle this package's tests share: a Vertx, and the authenticators a test creates on it with the test's
 * clock, each closed when the test ends. Register it on an instance field, after the clock it is given:
 *
 * <pre>
 * private final MutableClock clock = MutableClock.start();
 * &#64;RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);
 * </pre>
 *
 * <p>After each test it closes, in this order, the authenticators in the order they were created, what was passed to
 * {@link #closeAfterTest} (last first), and the test's own Vertx if it has one.
 */
final class Authenticators implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Authenticators.class);
  /** What a default configuration ({@code crypto.provider: auto}) uses on this machine. */
  static final SignatureEngine ENGINE = SignatureEngine.select(SignatureEngine.Choice.AUTO);

  private final MutableClock clock;
  private final boolean ownVertx;
  private final List<JwtAuthenticator> created = new ArrayList<>();
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private Vertx vertx;

  private Authenticators(MutableClock clock, boolean ownVertx) {
    this.clock = clock;
    this.ownVertx = ownVertx;
  }

  /** One Vertx for every test of the class, closed after the last of them. */
  static Authenticators sharingVertx(MutableClock clock) {
    return new Authenticators(clock, false);
  }

  /** A Vertx of each test's own, closed after the test. */
  static Authenticators ownVertx(MutableClock clock) {
    return new Authenticators(clock, true);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    vertx = ownVertx ? TestVertx.create() : classContext(context).getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedVertx.class, k -> new SharedVertx(TestVertx.create()), SharedVertx.class).vertx();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      created.forEach(JwtAuthenticator::close);
      while (!resources.isEmpty()) resources.pop().close();
    } finally {
      if (ownVertx) Jwt.await(vertx.close());
    }
  }

  Vertx vertx() {
    return vertx;
  }

  /** An authenticator for {@code providers}, the test's clock and {@link #ENGINE}. */
  JwtAuthenticator create(Jwt.Provider... providers) {
    return createOn(ENGINE, providers);
  }

  /** As {@link #create}, checking signatures on {@code engine}. */
  JwtAuthenticator createOn(SignatureEngine engine, Jwt.Provider... providers) {
    return track(JwtAuthenticator.create(vertx, configs(providers), clock, engine));
  }

  /** As {@link #create}, with a verified-token cache of at most {@code cacheSize} entries. */
  JwtAuthenticator createWithCacheSize(int cacheSize, Jwt.Provider... providers) {
    return track(JwtAuthenticator.create(vertx, configs(providers), clock, ENGINE, RemoteKeySource.Tuning.DEFAULTS,
        cacheSize));
  }

  /** As {@link #create}, with remote key sets tuned by {@code tuning} (before each provider's own bounds). */
  JwtAuthenticator createWithTuning(RemoteKeySource.Tuning tuning, Jwt.Provider... providers) {
    return track(JwtAuthenticator.create(vertx, configs(providers), clock, ENGINE, tuning,
        VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE));
  }

  /** Closes {@code resource} after the test, after its authenticators and before its own Vertx. */
  <T extends AutoCloseable> T closeAfterTest(T resource) {
    resources.push(resource);
    return resource;
  }

  private JwtAuthenticator track(JwtAuthenticator a) {
    created.add(a);
    return a;
  }

  private static List<JwtProviderConfig> configs(Jwt.Provider... providers) {
    List<JwtProviderConfig> configs = new ArrayList<>();
    for (Jwt.Provider p : providers) configs.add(p.build());
    return configs;
  }

  /** The test class's context, above any parameterized-test invocation: its store closes after {@code @AfterAll}. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent()) c = c.getParent().orElseThrow();
    return c;
  }

  private record SharedVertx(Vertx vertx) implements AutoCloseable {
    @Override
    public void close() {
      Jwt.await(vertx.close());
    }
  }
}
