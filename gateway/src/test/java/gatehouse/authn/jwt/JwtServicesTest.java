package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Identity;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.config.JwtProviderConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

  /**
   * A reload retains the providers of the live configs: an unchanged provider's meters are not
   * registered again (the soak's log had "This FunctionCounter has been already registered" once a
   * reload did), and a changed provider of the same name registers its own once the old one is
   * retired, not before (Micrometer would refuse them while the old ones stand).
   */
  @Test
  void eachSourceRegistersItsMetersOnceAndAReplacementOnlyWhenTheSourceItReplacesIsGone() {
    services.bindTo(new SimpleMeterRegistry());
    JwtProviderConfig before = remote().build();
    Counted first = new Counted();
    services.remote(before, c -> first);
    services.remote(before, c -> new Counted());
    services.retain(Set.of(before), name -> {});
    assertEquals(1, first.bound, "an unchanged provider's meters are registered once, however often it is retained");

    JwtProviderConfig after = remote().audiences("other").build();
    Counted second = new Counted();
    services.remote(after, c -> second);
    assertEquals(0, second.bound, "not while the source of the same name it replaces stands");
    List<String> forgotten = new ArrayList<>();
    services.retain(Set.of(after), forgotten::add);
    assertEquals(List.of(before.name()), forgotten);
    assertEquals(1, second.bound, "once the old source is gone");
    assertTrue(first.closed);
  }

  /** A key source that counts its meter registrations. */
  private static final class Counted implements KeySource {
    int bound;
    boolean closed;

    @Override public String dependency() { return "jwks:counted"; }
    @Override public KeySet current() { return null; }
    @Override public Future<KeySet> afterMiss(String kid, KeySet seen) { return Future.succeededFuture(); }
    @Override public KeySetStatus status() { return null; }
    @Override public void bindTo(MeterRegistry registry) { bound++; }
    @Override public Future<Void> settled() { return Future.succeededFuture(); }
    @Override public void close() { closed = true; }
  }
}
