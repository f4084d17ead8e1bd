package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Authentication;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery after an outage: while the breaker is open, probes with backoff find the server's
 * return, so service resumes within {@code LAST_PROBE} of it rather than a whole cooldown later.
 */
class RecoveryTest {
  private final Intro.Fixture f = new Intro.Fixture();

  @AfterEach
  void stop() {
    f.close();
  }

  /** Polls until {@code condition} holds; fails after {@code within}. */
  private static void eventually(Duration within, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + within);
      Thread.sleep(5);
    }
  }

  @Test
  void probesBackOffFrom250msTo2sAndTheFirstAnswerClosesTheBreakerWithoutWaitingForTheCooldown() throws Exception {
    MutableClock clock = MutableClock.start();
    Intro.ManualScheduler timers = new Intro.ManualScheduler();
    IntrospectionAuthenticator authenticator = f.create(new Intro.Config(f.server.endpoint()).breaker(2, Duration.ofSeconds(30)), clock, timers);
    f.server.failWith(503);
    assertUnverifiable(await(authenticator.authenticate(bearer("a"))));
    assertEquals(0, timers.pending(), "no probe while the breaker is closed");
    assertUnverifiable(await(authenticator.authenticate(bearer("b"))));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());

    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int calls = f.server.callCount();
      waits.add(timers.runNext());
      eventually(Duration.ofSeconds(10), () -> timers.pending() == 1);
      assertEquals(calls + 1, f.server.callCount(), "one call per probe");
      assertEquals(IntrospectionAuthenticator.PROBE_TOKEN, f.server.lastCall().form().get("token"));
    }
    assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(2), Duration.ofSeconds(2)), waits);
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state(), "failed probes never close it");

    f.server.recover();
    f.server.activate("fresh", new JsonObject().put("sub", "alice"));
    timers.runNext();
    eventually(Duration.ofSeconds(10), () -> authenticator.breaker().state() == CircuitBreaker.State.CLOSED);
    assertEquals(0, timers.pending(), "probing stops once the breaker is closed");
    assertEquals("alice", assertAuthenticated(await(authenticator.authenticate(bearer("fresh")))).identity().subject());
  }

  @Test
  void afterARealOutageServiceResumesWithinTwoSecondsOfTheServersReturnNotACooldownLater() throws Exception {
    int port = f.server.port();
    IntrospectionAuthenticator authenticator = IntrospectionAuthenticator.create(f.vertx,
        new Intro.Config(f.server.endpoint()).breaker(2, Duration.ofSeconds(30)).timeout(Duration.ofSeconds(1)).build(),
        Clock.systemUTC());
    f.authenticator = authenticator;
    f.server.close();
    f.server = null;
    assertUnverifiable(await(authenticator.authenticate(bearer("a"))));
    assertUnverifiable(await(authenticator.authenticate(bearer("b"))));
    assertEquals(CircuitBreaker.State.OPEN, authenticator.breaker().state());
    // Down long enough for probes doubling without a bound to wait longer than 2 s.
    Thread.sleep(4_500);

    f.server = LocalAuthorizationServer.start(f.vertx, port);
    f.server.activate("fresh", new JsonObject().put("sub", "alice"));
    long back = System.nanoTime();
    Authentication answer;
    do {
      answer = await(authenticator.authenticate(bearer("fresh")));
      if (answer instanceof Authentication.Authenticated) break;
      Thread.sleep(20);
    } while (System.nanoTime() - back < Duration.ofSeconds(10).toNanos());
    Duration recovery = Duration.ofNanos(System.nanoTime() - back);
    assertAuthenticated(answer);
    assertTrue(recovery.compareTo(Duration.ofMillis(2_500)) < 0, "recovered " + recovery + " after the server's return");
  }
}
