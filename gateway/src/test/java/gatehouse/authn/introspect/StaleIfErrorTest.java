package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertRejected;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Authentication;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stale_if_error}: a cached active answer outlives {@code cache_ttl} only while the server
 * is failing, for at most {@code stale_if_error}, and never beyond the token's {@code exp}.
 */
class StaleIfErrorTest {
  private static final String TOKEN = "opaque-token-of-alice";

  private Vertx vertx;
  private LocalAuthorizationServer server;
  private final MutableClock clock = MutableClock.start();
  private IntrospectionAuthenticator authenticator;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
    server = LocalAuthorizationServer.start(vertx);
  }

  @AfterEach
  void stop() {
    if (authenticator != null) authenticator.close();
    server.close();
    await(vertx.close());
  }

  private IntrospectionAuthenticator create(Duration staleIfError) {
    authenticator = IntrospectionAuthenticator.create(vertx, new Intro.Config(server.endpoint())
            .cacheTtl(Duration.ofSeconds(30)).staleIfError(staleIfError).breaker(3, Duration.ofMinutes(10)).build(),
        Intro.IDENTITY, clock, new Intro.ManualScheduler());
    return authenticator;
  }

  private Authentication ask(String token) {
    return await(authenticator.authenticate(bearer(token)));
  }

  private void activate(Duration lifetime) {
    server.activate(TOKEN, new JsonObject().put("sub", "alice").put("exp", clock.instant().plus(lifetime).getEpochSecond()));
  }

  @Test
  void withoutItACachedAnswerEndsAtTheTtlEvenInAnOutage() {
    activate(Duration.ofHours(1));
    create(Duration.ZERO);
    assertAuthenticated(ask(TOKEN));
    server.failWith(503);
    clock.advance(Duration.ofSeconds(29));
    assertAuthenticated(ask(TOKEN));
    clock.advance(Duration.ofSeconds(2));
    assertUnverifiable(ask(TOKEN));
  }

  @Test
  void whileTheServerFailsAStaleActiveAnswerServesForAtMostStaleIfError() {
    activate(Duration.ofHours(1));
    create(Duration.ofMinutes(5));
    assertAuthenticated(ask(TOKEN));
    server.failWith(503);
    clock.advance(Duration.ofSeconds(31));
    int calls = server.callCount();
    assertEquals("alice", assertAuthenticated(ask(TOKEN)).identity().subject());
    assertEquals(calls + 1, server.callCount(), "the server is asked first; the stale answer only stands in for its failure");
    clock.advance(Duration.ofMinutes(4));
    assertAuthenticated(ask(TOKEN));
    clock.advance(Duration.ofSeconds(60));
    assertUnverifiable(ask(TOKEN));     // 30 s + 5 min after the answer: gone
  }

  @Test
  void anOpenBreakerServesTheStaleAnswerWithoutACall() {
    activate(Duration.ofHours(1));
    create(Duration.ofMinutes(5));
    assertAuthenticated(ask(TOKEN));
    server.dropConnections();
    for (int i = 0; i < 3; i++) assertUnverifiable(ask("other-" + i));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());
    clock.advance(Duration.ofSeconds(40));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());
    int calls = server.callCount();
    assertAuthenticated(ask(TOKEN));
    assertEquals(calls, server.callCount());
  }

  @Test
  void neverBeyondTheTokensExp() {
    activate(Duration.ofSeconds(45));
    create(Duration.ofMinutes(5));
    assertAuthenticated(ask(TOKEN));
    server.failWith(500);
    clock.advance(Duration.ofSeconds(44));
    assertAuthenticated(ask(TOKEN));
    clock.advance(Duration.ofSeconds(1));
    assertUnverifiable(ask(TOKEN));
  }

  @Test
  void aServerThatAnswersIsBelievedOverTheStaleAnswer() {
    activate(Duration.ofHours(1));
    create(Duration.ofMinutes(5));
    assertAuthenticated(ask(TOKEN));
    server.revoke(TOKEN);
    clock.advance(Duration.ofSeconds(31));
    assertEquals("inactive", assertRejected(ask(TOKEN)));
    server.answerRawFor(TOKEN, 400, "application/json", "{\"error\":\"invalid_token\"}");
    assertEquals("inactive", assertRejected(ask(TOKEN)), "a refusal of the token is an answer, not an error");
  }

  @Test
  void inactiveAnswersAreNeverServedStale() {
    create(Duration.ofMinutes(5));
    assertEquals("inactive", assertRejected(ask(TOKEN)));
    activate(Duration.ofHours(1));
    server.failWith(503);
    clock.advance(Duration.ofSeconds(6));
    assertUnverifiable(ask(TOKEN));
  }
}
