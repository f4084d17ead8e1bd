package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertRejected;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gatehouse.authn.Authentication;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.IntrospectionConfig;
import gatehouse.secret.Secret;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestVertx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** The introspection authenticator against a real authorization-server stand-in on 127.0.0.1. */
class IntrospectionAuthenticatorTest {
  private static final String TOKEN = "opaque-token-of-alice-7f3a";

  private Vertx vertx;
  private LocalAuthorizationServer server;
  private final MutableClock clock = MutableClock.start();
  private final List<IntrospectionAuthenticator> created = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
    server = LocalAuthorizationServer.start(vertx);
    logger = (Logger) LoggerFactory.getLogger("gatehouse.authn.introspect");
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    created.forEach(IntrospectionAuthenticator::close);
    server.close();
    await(vertx.close());
  }

  private Intro.Config config() {
    return new Intro.Config(server.endpoint());
  }

  private IntrospectionAuthenticator create(Intro.Config c) {
    // Probes fire only when a test runs them, so call counts stay exact (see RecoveryTest).
    IntrospectionAuthenticator a = IntrospectionAuthenticator.create(vertx, c.build(), clock, new Intro.ManualScheduler());
    created.add(a);
    return a;
  }

  private Authentication ask(IntrospectionAuthenticator a, String token) {
    return await(a.authenticate(bearer(token)));
  }

  private JsonObject alice() {
    return new JsonObject().put("sub", "alice").put("scope", "orders:read orders:write").put("role", "admin")
        .put("email", "alice@example.com").put("client_id", "web").put("exp", clock.instant().plusSeconds(3600).getEpochSecond());
  }

  @Test
  void anActiveTokenBecomesAnIdentityWithSubjectScopesRolesAndMappedHeaders() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().claims(Map.of("sub", "X-User-Id", "scope", "X-Scopes", "client_id", "X-Client-Id")));
    Identity id = assertAuthenticated(ask(a, TOKEN)).identity();
    assertEquals("alice", id.subject());
    assertEquals(Scheme.INTROSPECTION, id.scheme());
    assertEquals("corp", id.issuer());
    assertEquals(Set.of("orders:read", "orders:write"), id.scopes());
    assertEquals(Set.of("admin"), id.roles());
    assertEquals(Map.of("X-User-Id", "alice", "X-Scopes", "orders:read orders:write", "X-Client-Id", "web"), gatehouse.testing.Identities.headerValues(id, Map.of("sub", "X-User-Id", "scope", "X-Scopes", "client_id", "X-Client-Id")));
    assertEquals(Optional.of(clock.instant().plusSeconds(3600)), id.expiresAt());
  }

  @Test
  void withoutProviderClaimsTheIdentityClaimsMapTheHeaders() {
    server.activate(TOKEN, alice());
    Identity id = assertAuthenticated(ask(create(config()), TOKEN)).identity();
    assertEquals(Map.of("X-User-Id", "alice", "X-User-Role", "admin", "X-User-Email", "alice@example.com"), gatehouse.testing.Identities.headerValues(id, Intro.IDENTITY.claims()));
  }

  @Test
  void aTokenTheServerDoesNotKnowIsRejectedAsInactive() {
    assertEquals("inactive", assertRejected(ask(create(config()), "never-issued")));
  }

  @Test
  void anActiveAnswerWithoutExpOrSubjectIsAcceptedWithAnEmptySubject() {
    server.activate(TOKEN, new JsonObject());
    Identity id = assertAuthenticated(ask(create(config()), TOKEN)).identity();
    assertEquals("", id.subject());
    assertEquals(Optional.empty(), id.expiresAt());
    assertEquals(Set.of(), id.scopes());
  }

  @ParameterizedTest
  @EnumSource(IntrospectionConfig.AuthMethod.class)
  void eachClientAuthMethodPostsTheTokenAsAFormWithTheAccessTokenHint(IntrospectionConfig.AuthMethod method) {
    server.activate(TOKEN, alice());
    assertAuthenticated(ask(create(config().method(method)), TOKEN));
    LocalAuthorizationServer.Call call = server.lastCall();
    assertEquals("POST", call.method());
    assertTrue(call.contentType().startsWith("application/x-www-form-urlencoded"), call.contentType());
    assertEquals(TOKEN, call.form().get("token"));
    assertEquals("access_token", call.form().get("token_type_hint"));
    assertEquals(method.configName(), call.clientAuth());
    if (method == IntrospectionConfig.AuthMethod.CLIENT_SECRET_BASIC) {
      assertFalse(call.form().containsKey("client_secret"));
      assertTrue(call.authorization().orElseThrow().startsWith("Basic "));
    } else {
      assertEquals(Optional.empty(), call.authorization());
      assertEquals(LocalAuthorizationServer.CLIENT_ID, call.form().get("client_id"));
    }
  }

  @ParameterizedTest
  @EnumSource(IntrospectionConfig.AuthMethod.class)
  void aServerThatRefusesOurClientCredentialsIs503NotAnInvalidToken(IntrospectionConfig.AuthMethod method) {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().method(method).secret("wrong-secret"));
    assertUnverifiable(ask(a, TOKEN));
    assertTrue(logLines().stream().anyMatch(l -> l.contains("refused the gateway's client credentials (HTTP 401)")), logLines().toString());
  }

  @Test
  void answersThatAreActiveButNotForUsAreRejectedWithTheirReason() {
    long now = clock.instant().getEpochSecond();
    server.activate("expired", new JsonObject().put("exp", now));
    server.activate("refresh", new JsonObject().put("token_type", "refresh_token"));
    server.activate("other-iss", new JsonObject().put("iss", "https://evil.example"));
    server.activate("no-iss", new JsonObject());
    server.activate("other-aud", new JsonObject().put("iss", "https://as.example").put("aud", new JsonArray().add("billing")));
    server.activate("no-aud", new JsonObject().put("iss", "https://as.example"));
    server.activate("good", new JsonObject().put("iss", "https://as.example").put("aud", "api").put("token_type", "Bearer"));
    IntrospectionAuthenticator a = create(config().issuer("https://as.example").audiences("api"));
    assertEquals("expired", assertRejected(ask(a, "expired")));
    assertEquals("wrong_token_type", assertRejected(ask(a, "refresh")));
    assertEquals("wrong_issuer", assertRejected(ask(a, "other-iss")));
    assertEquals("wrong_issuer", assertRejected(ask(a, "no-iss")));
    assertEquals("wrong_audience", assertRejected(ask(a, "other-aud")));
    assertEquals("wrong_audience", assertRejected(ask(a, "no-aud")));
    assertAuthenticated(ask(a, "good"));
  }

  @Test
  void oneHundredRequestsForOneTokenMakeOneCall() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config());
    for (int i = 0; i < 100; i++) assertAuthenticated(ask(a, TOKEN));
    assertEquals(1, server.callCount());
  }

  @Test
  void theCacheHoldsTheAnswerNotTheTokenAndAFreshAnswerFollowsRevocationAfterTheTtl() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().cacheTtl(Duration.ofSeconds(30)));
    assertAuthenticated(ask(a, TOKEN));
    server.revoke(TOKEN);
    clock.advance(Duration.ofSeconds(29));
    assertAuthenticated(ask(a, TOKEN));
    assertEquals(1, server.callCount());
    clock.advance(Duration.ofSeconds(1));
    assertEquals("inactive", assertRejected(ask(a, TOKEN)));
    assertEquals(2, server.callCount());
  }

  @Test
  void anActiveAnswerIsCachedNoLongerThanTheTokensExp() {
    server.activate(TOKEN, alice().put("exp", clock.instant().plusSeconds(10).getEpochSecond()));
    IntrospectionAuthenticator a = create(config().cacheTtl(Duration.ofSeconds(30)));
    assertAuthenticated(ask(a, TOKEN));
    clock.advance(Duration.ofSeconds(9));
    assertAuthenticated(ask(a, TOKEN));
    assertEquals(1, server.callCount());
    clock.advance(Duration.ofSeconds(1));
    // At exp the cached answer is gone; the server's answer (still "active", exp now) is judged expired.
    assertEquals("expired", assertRejected(ask(a, TOKEN)));
    assertEquals(2, server.callCount());
  }

  @Test
  void inactiveAnswersAreCachedForTheNegativeTtlOnly() {
    IntrospectionAuthenticator a = create(config().negativeTtl(Duration.ofSeconds(5)));
    assertEquals("inactive", assertRejected(ask(a, TOKEN)));
    server.activate(TOKEN, alice());
    clock.advance(Duration.ofSeconds(4));
    assertEquals("inactive", assertRejected(ask(a, TOKEN)));
    assertEquals(1, server.callCount());
    clock.advance(Duration.ofSeconds(1));
    assertAuthenticated(ask(a, TOKEN));
    assertEquals(2, server.callCount());
  }

  @Test
  void zeroTtlsTurnCachingOff() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().cacheTtl(Duration.ZERO).negativeTtl(Duration.ZERO));
    for (int i = 0; i < 3; i++) {
      assertAuthenticated(ask(a, TOKEN));
      assertRejected(ask(a, "unknown"));
    }
    assertEquals(6, server.callCount());
  }

  @Test
  void twoHundredConcurrentRequestsForOneUncachedTokenMakeOneCall() {
    server.activate(TOKEN, alice());
    server.hold();
    IntrospectionAuthenticator a = create(config());
    List<Future<Authentication>> answers = new ArrayList<>();
    List<Context> loops = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(), vertx.getOrCreateContext());
    CountDownLatch asked = new CountDownLatch(200);
    for (int i = 0; i < 200; i++) {
      Promise<Authentication> p = Promise.promise();
      loops.get(i % loops.size()).runOnContext(v -> {
        a.authenticate(bearer(TOKEN)).onComplete(p);
        asked.countDown();
      });
      answers.add(p.future());
    }
    // The server holds its answer, so all 200 asked while the one call was in flight: none is a cache hit.
    try {
      assertTrue(asked.await(20, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    server.release();
    for (Future<Authentication> f : answers) assertAuthenticated(await(f));
    assertEquals(1, server.callCount());
  }

  @Test
  void anOutageAnswers503ForUncachedTokensWhileCachedActiveTokensKeepWorkingThenRecovers() {
    server.activate(TOKEN, alice());
    server.activate("bob-token", alice().put("sub", "bob"));
    IntrospectionAuthenticator a = create(config());
    assertAuthenticated(ask(a, TOKEN));
    server.dropConnections();
    assertUnverifiable(ask(a, "bob-token"));
    assertEquals("alice", assertAuthenticated(ask(a, TOKEN)).identity().subject());
    server.recover();
    assertEquals("bob", assertAuthenticated(ask(a, "bob-token")).identity().subject());
  }

  @Test
  void aSlowServerIs503AfterTheTimeout() {
    server.activate(TOKEN, alice());
    server.setDelay(Duration.ofSeconds(10));
    IntrospectionAuthenticator a = create(config().timeout(Duration.ofMillis(200)));
    long started = System.nanoTime();
    assertUnverifiable(ask(a, TOKEN));
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
    assertTrue(logLines().stream().anyMatch(l -> l.contains("no answer within 200ms")), logLines().toString());
  }

  @Test
  void failuresAreNeverCached() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config());
    server.failWith(503);
    assertUnverifiable(ask(a, TOKEN));
    server.recover();
    assertAuthenticated(ask(a, TOKEN));
    assertEquals(2, server.callCount());
  }

  @Test
  void theBreakerOpensAfterConsecutiveFailuresStopsCallingAndLetsOneTrialThroughAfterTheCooldown() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().breaker(3, Duration.ofSeconds(30)));
    server.failWith(500);
    for (int i = 0; i < 3; i++) assertUnverifiable(ask(a, "t" + i));
    assertEquals(3, server.callCount());
    assertEquals(CircuitBreaker.State.OPEN, a.breaker().state());
    for (int i = 0; i < 10; i++) assertUnverifiable(ask(a, TOKEN));
    assertEquals(3, server.callCount(), "an open breaker makes no call");

    clock.advance(Duration.ofSeconds(30));
    assertUnverifiable(ask(a, TOKEN));     // the trial call fails: open again
    assertEquals(4, server.callCount());
    assertEquals(CircuitBreaker.State.OPEN, a.breaker().state());
    assertUnverifiable(ask(a, TOKEN));
    assertEquals(4, server.callCount());

    server.recover();
    clock.advance(Duration.ofSeconds(30));
    assertAuthenticated(ask(a, TOKEN));    // the trial succeeds: closed
    assertEquals(CircuitBreaker.State.CLOSED, a.breaker().state());
    assertRejected(ask(a, "unknown"));
    assertEquals(6, server.callCount());
    assertEquals(2, logLines().stream().filter(l -> l.contains("circuit breaker OPEN")).count(), "opened twice, logged each time");
  }

  /** Issue 18 section 3: calls by result, latency, breaker state and transitions, cache hits, read from a real registry. */
  @Test
  void callsBreakerAndCacheAreMeasuredPerProvider() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().breaker(2, Duration.ofSeconds(30)));
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    a.bindTo(registry);
    java.util.function.ToDoubleFunction<String> calls = result ->
        registry.get("gatehouse_introspection_calls").tag("provider", "corp").tag("result", result).functionCounter().count();
    java.util.function.ToDoubleFunction<String> state = st ->
        registry.get("gatehouse_introspection_breaker_state").tag("provider", "corp").tag("state", st).gauge().value();
    java.util.function.ToDoubleFunction<String> to = st ->
        registry.get("gatehouse_introspection_breaker_transitions").tag("provider", "corp").tag("to", st).functionCounter().count();

    assertAuthenticated(ask(a, TOKEN));
    assertAuthenticated(ask(a, TOKEN)); // from the cache
    assertRejected(ask(a, "never-issued"));
    server.failWith(500);
    assertUnverifiable(ask(a, "t1"));
    assertEquals(1.0, state.applyAsDouble("closed"));
    assertUnverifiable(ask(a, "t2"));
    assertUnverifiable(ask(a, "t3")); // no call: open
    assertEquals(List.of(1.0, 1.0, 2.0, 1.0), List.of(calls.applyAsDouble("active"), calls.applyAsDouble("rejected"),
        calls.applyAsDouble("error"), calls.applyAsDouble("breaker_open")));
    assertEquals(List.of(0.0, 1.0, 0.0), List.of(state.applyAsDouble("closed"), state.applyAsDouble("open"), state.applyAsDouble("half_open")));
    assertEquals(1.0, to.applyAsDouble("open"));
    assertEquals(4, registry.get("gatehouse_introspection_duration").tag("provider", "corp").timer().count());

    server.recover();
    clock.advance(Duration.ofSeconds(30));
    assertEquals(1.0, state.applyAsDouble("half_open"));
    assertRejected(ask(a, "t4")); // the trial call: closed again
    assertEquals(List.of(1.0, 1.0, 1.0), List.of(to.applyAsDouble("open"), to.applyAsDouble("half_open"), to.applyAsDouble("closed")));
    assertEquals(1.0, state.applyAsDouble("closed"));
    assertEquals(1.0, registry.get("cache.gets").tag("cache", "introspection:corp").tag("result", "hit").functionCounter().count());
  }

  @Test
  void requestVolumeNeverSetsLogVolumeOneLinePerTenSecondsWithACount() {
    IntrospectionAuthenticator a = create(config().breaker(1000, Duration.ofSeconds(30)));
    server.failWith(503);
    for (int i = 0; i < 100; i++) assertUnverifiable(ask(a, "forged-" + i));
    assertEquals(List.of("cannot verify token"), logLines().stream().map(l -> l.replaceAll(".*(cannot verify token).*", "$1")).toList());
    clock.advance(Duration.ofSeconds(10));
    assertUnverifiable(ask(a, "one-more"));
    assertEquals(2, logLines().size(), logLines().toString());
    assertTrue(logLines().get(1).endsWith("answered HTTP 503 (99 more from 2030-01-01T00:00:00Z to 2030-01-01T00:00:10Z, not logged)"),
        logLines().get(1));
  }

  @Test
  void whileTheBreakerIsOpenCachedActiveTokensStillWork() {
    server.activate(TOKEN, alice());
    IntrospectionAuthenticator a = create(config().breaker(1, Duration.ofMinutes(1)));
    assertAuthenticated(ask(a, TOKEN));
    server.failWith(502);
    assertUnverifiable(ask(a, "other"));
    assertEquals(CircuitBreaker.State.OPEN, a.breaker().state());
    assertAuthenticated(ask(a, TOKEN));
  }

  @Test
  void theTokenNeverAppearsInTheLogOnlyItsFingerprint() {
    IntrospectionAuthenticator a = create(config());
    server.failWith(500);
    assertUnverifiable(ask(a, TOKEN));
    server.answerRaw(200, "application/json", "{\"active\":true,\"token\":\"" + TOKEN + "\",\"exp\":\"x\"}");
    assertUnverifiable(ask(a, TOKEN));
    String fingerprint = new Secret(TOKEN).fingerprint();
    assertTrue(logLines().stream().anyMatch(l -> l.contains(fingerprint)), logLines().toString());
    for (String line : logLines()) {
      assertFalse(line.contains(TOKEN), line);
      assertFalse(line.contains(LocalAuthorizationServer.CLIENT_SECRET), line);
    }
  }

  @Test
  void theCacheKeyNamesTheProvider() {
    assertFalse(AnswerCache.Key.of("a", new Secret(TOKEN)).equals(AnswerCache.Key.of("b", new Secret(TOKEN))));
    assertEquals(AnswerCache.Key.of("a", new Secret(TOKEN)), AnswerCache.Key.of("a", new Secret(TOKEN)));
    assertEquals(new Secret(TOKEN).fingerprint(), AnswerCache.Key.of("a", new Secret(TOKEN)).fingerprint());
  }

  @Test
  void anExpiredCachedAnswerIsAMissEvenBeforeCaffeineEvictsIt() {
    AnswerCache cache = new AnswerCache(clock, 10, Duration.ofHours(1), Duration.ofSeconds(5));
    Identity id = new Identity("a", Scheme.INTROSPECTION, "corp", Set.of(), Set.of(), VerifiedClaims.NONE, Optional.empty());
    Instant exp = clock.instant().plusSeconds(60);
    AnswerCache.Key key = AnswerCache.Key.of("corp", new Secret(TOKEN));
    cache.put(key, new Answer.Active(id, Optional.of(exp)));
    assertEquals(Duration.ofSeconds(60), cache.lifetime(new Answer.Active(id, Optional.of(exp))));
    clock.set(exp);
    assertEquals(null, cache.get(key));
  }

  private List<String> logLines() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : logs.list) out.add(e.getFormattedMessage());
    return out;
  }
}
