package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Authentication;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Remote key sets against a real JWKS server on 127.0.0.1: first fetch, rate limits, rotation, outage, discovery. */
class RemoteKeySetTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.ownVertx(clock);
  private LocalJwksServer server;

  @BeforeEach
  void start() {
    server = authenticators.closeAfterTest(LocalJwksServer.start(authenticators.vertx(), TestKeys.jwks(TestKeys.ec256())));
  }

  private JwtAuthenticator remote() {
    return create(Jwt.provider().keys(new KeySourceConfig.JwksUri(server.jwksUri())));
  }

  private JwtAuthenticator create(Jwt.Provider p) {
    JwtAuthenticator a = authenticators.create(p);
    Jwt.await(a.settled());
    return a;
  }

  private TestTokens token() {
    return TestTokens.signedBy(TestKeys.ec256(), clock);
  }

  /** Serves a second key beside the first and moves past the 30 s minimum between kid-triggered refreshes. */
  private TestKeys.TestKey publishASecondKeyAndPassTheRefreshInterval() {
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    server.setJwks(TestKeys.jwks(TestKeys.ec256(), next));
    clock.advance(Duration.ofSeconds(31));
    return next;
  }

  @Test
  void keysFromAJwksUriVerifyTokensAfterTheFirstFetch() {
    JwtAuthenticator a = remote();
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertEquals(1, server.fetches());
    KeySetStatus status = a.status().get(0);
    assertTrue(status.ready());
    assertEquals(1, status.keyCount());
    assertEquals("jwks_uri " + server.jwksUri(), status.source());
    assertEquals(java.util.Optional.empty(), status.lastError());
  }

  @Test
  void beforeTheFirstSuccessfulFetchTokensAreUnverifiable() {
    server.failWith(503);
    JwtAuthenticator a = remote();
    Authentication answer = Jwt.authenticate(a, token().sign());
    assertEquals(new Authentication.Unverifiable("jwks:main"), answer);
    KeySetStatus status = a.status().get(0);
    assertFalse(status.ready());
    assertEquals("GET " + server.jwksUri() + " answered 503", status.lastError().orElseThrow());

    server.recover();
    server.setDelay(Duration.ofMillis(300)); // the retry cannot finish before the answer below is given
    clock.advance(Duration.ofSeconds(1)); // the first retry is due after 1 s
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertTrue(a.status().get(0).ready());
  }

  @Test
  void floodOfUnknownKidsCausesAtMostOneRefresh() {
    server.setDelay(Duration.ofMillis(100));
    JwtAuthenticator a = remote();
    clock.advance(Duration.ofSeconds(31)); // past the 30 s minimum between kid-triggered refreshes
    byte[] junkSignature = new byte[64];
    List<Future<Authentication>> answers = IntStream.range(0, 10_000).parallel()
        .mapToObj(i -> a.authenticate(TestTokens.bearer(token().kid(UUID.randomUUID().toString()).withSignature(junkSignature))))
        .toList();
    for (Future<Authentication> f : answers) {
      Authentication answer = Jwt.await(f);
      assertRejected(FailureCodes.UNKNOWN_KEY, answer, "");
    }
    assertEquals(2, server.fetches(), "the initial fetch plus one refresh shared by all 10,000 misses");
  }

  @Test
  void aKidFoundAbsentIsForgottenWhenTheMinimumRefreshIntervalEnds() {
    JwtAuthenticator a = remote();
    String ghost = token().kid("ghost").sign();
    for (int window = 1; window <= 3; window++) {
      clock.advance(Duration.ofSeconds(30));
      for (int i = 0; i < 5; i++) assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, ghost), ghost);
      assertEquals(1 + window, server.fetches(), "one fetch per jwks_min_refresh, however often the kid comes back");
    }
  }

  /**
   * Issue 18, the rotation bound. The IdP publishes a key just after a fetch started (the worst
   * case: that fetch's answer lacks it). Until {@code jwks_min_refresh} after that fetch began, the
   * new kid is refused without a fetch; from then on the next request fetches once and is accepted,
   * whatever the key set's own refresh time (no Cache-Control: 10 minutes; Keycloak: 54 s).
   */
  @ParameterizedTest(name = "Cache-Control {0}, jwks_min_refresh {1}")
  @CsvSource(value = {"NONE, PT30S", "max-age=60, PT30S", "NONE, PT1S", "NONE, PT5M", "max-age=3600, PT10M"}, nullValues = "NONE")
  void aNewKeyIsAcceptedOnTheFirstRequestOneMinimumRefreshAfterItsPublication(String cacheControl, Duration minRefresh) {
    server.setCacheControl(cacheControl);
    JwtAuthenticator a = create(Jwt.provider().keys(new KeySourceConfig.JwksUri(server.jwksUri()))
        .remote(new JwtProviderConfig.RemoteKeys(minRefresh, Duration.ofHours(24), java.util.Optional.empty())));
    java.time.Instant published = clock.instant();
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    server.setJwks(TestKeys.jwks(TestKeys.ec256(), next));

    Duration justBefore = minRefresh.minusMillis(1);
    for (Duration at : List.of(Duration.ZERO, justBefore.dividedBy(2), justBefore)) {
      clock.set(published.plus(at));
      String early = TestTokens.signedBy(next, clock).sign();
      assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, early), early);
      assertEquals(1, server.fetches(), "within jwks_min_refresh of the last fetch, no fetch");
    }
    clock.set(published.plus(minRefresh));
    long startedNanos = System.nanoTime();
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
    long fetchMillis = (System.nanoTime() - startedNanos) / 1_000_000;
    assertEquals(2, server.fetches(), "exactly one fetch, by the first request past the window");
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
    assertEquals(2, server.fetches());
    System.out.printf("rotation bound: refused at +%s, accepted at +%s (clock), fetch %d ms%n", justBefore, minRefresh, fetchMillis);
  }

  @Test
  void concurrentRequestsWithANewKidShareOneFetchAndAreAllAccepted() {
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    server.setJwks(TestKeys.jwks(TestKeys.ec256(), next));
    String early = TestTokens.signedBy(next, clock).sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, early), early);
    clock.advance(Duration.ofSeconds(30));
    server.setDelay(Duration.ofMillis(200)); // every request below arrives while the one fetch runs
    List<Future<Authentication>> answers = IntStream.range(0, 200).parallel()
        .mapToObj(i -> a.authenticate(TestTokens.bearer(TestTokens.signedBy(next, clock).claim("n", i).sign())))
        .toList();
    for (Future<Authentication> f : answers) assertAuthenticated(Jwt.await(f));
    assertEquals(2, server.fetches(), "the initial fetch plus one shared by all 200 requests");
  }

  @Test
  void aMissWaitsAtMostTheFetchTimeoutDiscoveryIncluded() {
    server.setDelay(Duration.ofMillis(250)); // discovery and JWKS: 500 ms in all, over the 400 ms budget
    RemoteKeySource.Tuning d = RemoteKeySource.Tuning.DEFAULTS;
    RemoteKeySource.Tuning tuning = new RemoteKeySource.Tuning(d.minRefresh(), d.staleMax(), d.defaultTtl(), d.minTtl(), d.maxTtl(),
        Duration.ofMillis(400), d.maxBodyBytes());
    JwtAuthenticator a = authenticators.createWithTuning(tuning, Jwt.provider().issuer(server.issuer()).keys(new KeySourceConfig.Discovery()));
    Jwt.await(a.settled());
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().claim("iss", server.issuer()).sign()));
    assertEquals("no key set within 400ms", a.status().get(0).lastError().orElseThrow());
  }

  /** Issue 18 section 3: each way a fetch ends is counted under its own result, read from a real registry. */
  @Test
  void fetchesAreCountedByResultAndTheKeySetAgeFollowsTheLastSuccess() {
    RemoteKeySource.Tuning d = RemoteKeySource.Tuning.DEFAULTS;
    RemoteKeySource.Tuning tuning = new RemoteKeySource.Tuning(d.minRefresh(), d.staleMax(), d.defaultTtl(), d.minTtl(), d.maxTtl(),
        Duration.ofMillis(400), d.maxBodyBytes());
    JwtAuthenticator a = authenticators.createWithTuning(tuning, Jwt.provider().keys(new KeySourceConfig.JwksUri(server.jwksUri())));
    Jwt.await(a.settled());
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    a.bindTo(registry);
    java.util.function.ToDoubleFunction<String> fetches = result ->
        registry.get("gatehouse_jwks_fetches").tag("provider", "main").tag("result", result).functionCounter().count();
    java.time.Instant loaded = clock.instant();
    assertEquals(1.0, fetches.applyAsDouble("ok"));
    assertEquals(loaded.toEpochMilli() / 1000.0, registry.get("gatehouse_jwks_last_success_timestamp_seconds").gauge().value());

    java.util.function.Consumer<Runnable> failingFetch = breakIt -> {
      breakIt.run();
      clock.advance(Duration.ofSeconds(31));
      Jwt.authenticate(a, token().kid("k" + UUID.randomUUID()).sign());
      Jwt.await(a.settled());
    };
    failingFetch.accept(() -> server.failWith(500));
    failingFetch.accept(() -> {
      server.recover();
      server.setJwks("{\"keys\": 7}");
    });
    failingFetch.accept(() -> server.setDelay(Duration.ofMillis(600)));
    failingFetch.accept(server::close);
    assertEquals(1.0, fetches.applyAsDouble("http_error"));
    assertEquals(1.0, fetches.applyAsDouble("invalid"));
    assertEquals(1.0, fetches.applyAsDouble("timeout"));
    assertEquals(1.0, fetches.applyAsDouble("connect_error"));
    assertEquals(1.0, fetches.applyAsDouble("ok"));
    assertEquals(124.0, registry.get("gatehouse_jwks_key_set_age_seconds").tag("provider", "main").gauge().value());
    assertEquals(loaded.toEpochMilli() / 1000.0, registry.get("gatehouse_jwks_last_success_timestamp_seconds").gauge().value());
  }

  enum Outage { HTTP_500, CLOSED_PORT }

  /** Issue 18: an outage after a kid was found absent answers 503 for it, never the remembered 401. */
  @ParameterizedTest
  @EnumSource(Outage.class)
  void duringAnOutageAnUnknownKidIsUnverifiableAndKnownKidsStillVerify(Outage outage) {
    JwtAuthenticator a = remote();
    String ghost = token().kid("rotated").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, ghost), ghost); // absent from a fresh, successful fetch
    if (outage == Outage.HTTP_500) server.failWith(500);
    else server.close();
    clock.advance(Duration.ofSeconds(30));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, ghost));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    int fetches = server.fetches();
    clock.advance(Duration.ofMillis(500)); // before the 1 s retry and within the window after a failed fetch: no fetch, 503
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, ghost));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().kid("other").sign()));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertEquals(fetches, server.fetches());
  }

  @Test
  void unknownKidWithinTheMinimumRefreshIntervalIsRejectedWithoutAFetch() {
    JwtAuthenticator a = remote();
    String token = token().kid("new-key").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, token), token);
    assertEquals(1, server.fetches());
  }

  @Test
  void keyAddedToTheJwksIsAcceptedWithoutRestart() {
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = publishASecondKeyAndPassTheRefreshInterval();
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
    assertEquals(2, server.fetches());
    assertEquals(2, a.status().get(0).keyCount());
  }

  @Test
  void keyRemovedFromTheJwksIsRejectedAfterTheNextRefreshEvenIfCached() {
    server.setCacheControl("max-age=60");
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    String old = token().sign();
    assertAuthenticated(Jwt.authenticate(a, old));
    assertEquals(1, a.cache().size());

    server.setJwks(TestKeys.jwks(next));
    server.setDelay(Duration.ofMillis(300)); // the refresh cannot finish before the answer below is given
    clock.advance(Duration.ofSeconds(55)); // refresh is due at 90% of max-age
    assertAuthenticated(Jwt.authenticate(a, old)); // served while the refresh runs in the background
    Jwt.await(a.settled());
    assertEquals(2, server.fetches());
    assertEquals(0, a.cache().size(), "entries verified by the removed key are dropped");
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, old), old);
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
  }

  @Test
  void dueRefreshDoesNotDelayTheRequestThatNoticesIt() {
    server.setCacheControl("max-age=120");
    JwtAuthenticator a = remote();
    clock.advance(Duration.ofSeconds(110));
    server.setDelay(Duration.ofMillis(200));
    Future<Authentication> answer = a.authenticate(TestTokens.bearer(token().sign()));
    assertTrue(answer.isComplete());
    assertAuthenticated(answer.result());
    Jwt.await(a.settled());
    assertEquals(2, server.fetches());
  }

  @Test
  void outageKeepsTheLastGoodKeySetUntilTheStaleMaximum() {
    server.setCacheControl("max-age=60");
    JwtAuthenticator a = remote();
    server.failWith(500);
    clock.advance(Duration.ofMinutes(2));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    KeySetStatus status = a.status().get(0);
    assertTrue(status.ready());
    assertEquals("GET " + server.jwksUri() + " answered 500", status.lastError().orElseThrow());

    clock.advance(Duration.ofHours(24));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().sign()));
    assertFalse(a.status().get(0).ready());
    Jwt.await(a.settled());

    server.recover();
    clock.advance(Duration.ofSeconds(31));
    Jwt.authenticate(a, token().sign());
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertEquals(java.util.Optional.empty(), a.status().get(0).lastError());
  }

  @Test
  void unknownKidDuringAnOutageIsUnverifiableNotRejected() {
    JwtAuthenticator a = remote();
    server.failWith(500);
    clock.advance(Duration.ofSeconds(31));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().kid("rotated").sign()));
  }

  /**
   * The key set is fetched again at 90% of its lifetime: Cache-Control max-age within [1 min, 1 h],
   * 10 min without a usable one, the minimum for no-store. Seen by a request one second before and
   * at that moment.
   */
  @ParameterizedTest(name = "Cache-Control {0}: lifetime {1}")
  @CsvSource(value = {"'public, max-age=300', PT5M", "max-age=5, PT1M", "max-age=999999, PT1H", "NONE, PT10M",
      "max-age=soon, PT10M", "no-store, PT1M"}, nullValues = "NONE")
  void cacheControlMaxAgeIsHonouredWithinBounds(String cacheControl, Duration lifetime) {
    server.setCacheControl(cacheControl);
    JwtAuthenticator a = remote();
    clock.advance(lifetime.minus(lifetime.dividedBy(10)).minusSeconds(1));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertEquals(1, server.fetches(), "not due yet");
    clock.advance(Duration.ofSeconds(1));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertEquals(2, server.fetches(), "due");
  }

  @Test
  void discoveryFindsTheJwksUriFromTheIssuer() {
    JwtAuthenticator a = create(Jwt.provider().issuer(server.issuer()).keys(new KeySourceConfig.Discovery()));
    assertAuthenticated(Jwt.authenticate(a, token().claim("iss", server.issuer()).sign()));
    assertEquals(1, server.discoveryFetches());
    assertEquals(1, server.fetches());
  }

  @Test
  void discoveryDocumentNamingAnotherIssuerIsRefused() {
    String issuer = server.issuer() + "/";
    JwtAuthenticator a = create(Jwt.provider().issuer(issuer).keys(new KeySourceConfig.Discovery()));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().claim("iss", issuer).sign()));
    assertTrue(a.status().get(0).lastError().orElseThrow().contains("names issuer " + server.issuer() + ", not " + issuer));
    assertEquals(0, server.fetches());
  }

  @Test
  void answerAfterAKeyFetchArrivesOnTheCallersContext() {
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = publishASecondKeyAndPassTheRefreshInterval();
    String token = TestTokens.signedBy(next, clock).sign();
    Context context = authenticators.vertx().getOrCreateContext();
    ConcurrentLinkedQueue<Context> seen = new ConcurrentLinkedQueue<>();
    Promise<Authentication> done = Promise.promise();
    context.runOnContext(v -> a.authenticate(TestTokens.bearer(token)).onComplete(ar -> {
      seen.add(Vertx.currentContext());
      done.handle(ar);
    }));
    assertAuthenticated(Jwt.await(done.future()));
    assertSame(context, seen.peek());
  }
}
