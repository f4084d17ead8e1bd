package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertRejected;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Authentication;
import gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stale_if_error}: a cached active answer outlives {@code cache_ttl} only while the server
 * is failing, for at most {@code stale_if_error}, and never beyond the token's {@code exp}.
 */
class StaleIfErrorTest {
  private static final String TOKEN = "opaque-token-of-alice";

  private final Intro.Fixture f = new Intro.Fixture();
  private final MutableClock clock = MutableClock.start();
  private IntrospectionAuthenticator authenticator;

  @AfterEach
  void stop() {
    f.close();
  }

  private void create(Duration staleIfError) {
    authenticator = f.create(new Intro.Config(f.server.endpoint())
        .cacheTtl(Duration.ofSeconds(30)).staleIfError(staleIfError).breaker(3, Duration.ofMinutes(10)), clock, new Intro.ManualScheduler());
  }

  private Authentication ask(String token) {
    return f.ask(token);
  }

  private void activate(Duration lifetime) {
    f.server.activate(TOKEN, new JsonObject().put("sub", "alice").put("exp", clock.instant().plus(lifetime).getEpochSecond()));
  }

  @Test
  void withoutItACachedAnswerEndsAtTheTtlEvenInAnOutage() {
    activate(Duration.ofHours(1));
    create(Duration.ZERO);
    assertAuthenticated(ask(TOKEN));
    f.server.failWith(503);
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
    f.server.failWith(503);
    clock.advance(Duration.ofSeconds(31));
    int calls = f.server.callCount();
    assertEquals("alice", assertAuthenticated(ask(TOKEN)).identity().subject());
    assertEquals(calls + 1, f.server.callCount(), "the server is asked first; the stale answer only stands in for its failure");
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
    f.server.dropConnections();
    for (int i = 0; i < 3; i++) assertUnverifiable(ask("other-" + i));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());
    clock.advance(Duration.ofSeconds(40));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());
    int calls = f.server.callCount();
    assertAuthenticated(ask(TOKEN));
    assertEquals(calls, f.server.callCount());
  }

  @Test
  void neverBeyondTheTokensExp() {
    activate(Duration.ofSeconds(45));
    create(Duration.ofMinutes(5));
    assertAuthenticated(ask(TOKEN));
    f.server.failWith(500);
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
    f.server.revoke(TOKEN);
    clock.advance(Duration.ofSeconds(31));
    assertEquals("inactive", assertRejected(ask(TOKEN)));
    f.server.answerRawFor(TOKEN, 400, "application/json", "{\"error\":\"invalid_token\"}");
    assertEquals("inactive", assertRejected(ask(TOKEN)), "a refusal of the token is an answer, not an error");
  }

  @Test
  void inactiveAnswersAreNeverServedStale() {
    create(Duration.ofMinutes(5));
    assertEquals("inactive", assertRejected(ask(TOKEN)));
    activate(Duration.ofHours(1));
    f.server.failWith(503);
    clock.advance(Duration.ofSeconds(6));
    assertUnverifiable(ask(TOKEN));
  }
}
