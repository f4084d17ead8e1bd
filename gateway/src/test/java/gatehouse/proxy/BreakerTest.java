package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import gatehouse.config.BreakerConfig;
import gatehouse.pipeline.Rejection;
import gatehouse.proxy.Breaker.Pass;
import gatehouse.proxy.Breaker.Refused;
import gatehouse.proxy.Breaker.State;
import gatehouse.proxy.Breaker.Verdict;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BreakerTest {
  private final MutableClock clock = MutableClock.start();
  private final List<String> changes = new ArrayList<>();
  private final Breaker breaker = new Breaker(
      new BreakerConfig(3, Duration.ofSeconds(10), Duration.ofSeconds(30), BreakerConfig.Scope.ROUTE), clock,
      (from, to, openFor) -> changes.add(from + "->" + to + " " + openFor.toSeconds() + "s"));

  private Pass pass() {
    return assertInstanceOf(Pass.class, breaker.admit());
  }

  private void fail(int times) {
    for (int i = 0; i < times; i++) breaker.done(pass(), Verdict.FAILURE);
  }

  @Test
  void consecutiveFailuresOpenItAndItRefusesUntilOpenForHasPassed() {
    fail(2);
    assertEquals(State.CLOSED, breaker.state());
    fail(1);
    assertEquals(State.OPEN, breaker.state());
    assertEquals(new Refused(Duration.ofSeconds(10)), breaker.admit());
    clock.advance(Duration.ofMillis(9_500));
    assertEquals(new Refused(Duration.ofMillis(500)), breaker.admit());
    assertEquals(List.of("CLOSED->OPEN 10s"), changes);
  }

  @Test
  void aSuccessBetweenFailuresStartsTheCountAgain() {
    fail(2);
    breaker.done(pass(), Verdict.SUCCESS);
    fail(2);
    assertEquals(State.CLOSED, breaker.state());
    fail(1);
    assertEquals(State.OPEN, breaker.state());
  }

  @Test
  void neutralOutcomesNeitherCountNorReset() {
    for (int i = 0; i < 100; i++) breaker.done(pass(), Verdict.NEUTRAL);
    assertEquals(State.CLOSED, breaker.state());
    fail(2);
    breaker.done(pass(), Verdict.NEUTRAL);
    fail(1);
    assertEquals(State.OPEN, breaker.state());
  }

  @Test
  void afterOpenForExactlyOneProbeGoesAndItsSuccessCloses() {
    fail(3);
    clock.advance(Duration.ofSeconds(10));
    Pass probe = pass();
    assertEquals(true, probe.probe());
    assertEquals(State.HALF_OPEN, breaker.state());
    assertEquals(new Refused(Breaker.PROBE_RETRY_AFTER), breaker.admit());
    breaker.done(probe, Verdict.SUCCESS);
    assertEquals(State.CLOSED, breaker.state());
    assertEquals(false, pass().probe());
    assertEquals(List.of("CLOSED->OPEN 10s", "OPEN->HALF_OPEN 10s", "HALF_OPEN->CLOSED 10s"), changes);
  }

  @Test
  void aFailedProbeOpensItForTwiceAsLongUpToMaxOpenFor() {
    fail(3);
    clock.advance(Duration.ofSeconds(10));
    breaker.done(pass(), Verdict.FAILURE);
    assertEquals(new Refused(Duration.ofSeconds(20)), breaker.admit());
    clock.advance(Duration.ofSeconds(20));
    breaker.done(pass(), Verdict.FAILURE);
    assertEquals(new Refused(Duration.ofSeconds(30)), breaker.admit());
    clock.advance(Duration.ofSeconds(30));
    breaker.done(pass(), Verdict.FAILURE);
    assertEquals(new Refused(Duration.ofSeconds(30)), breaker.admit());
    clock.advance(Duration.ofSeconds(30));
    breaker.done(pass(), Verdict.SUCCESS);
    fail(3);
    assertEquals(new Refused(Duration.ofSeconds(10)), breaker.admit(), "a closed breaker starts again at open_for");
  }

  @Test
  void aProbeThatEndsNeitherWayLetsTheNextRequestProbeWithoutAStateChange() {
    fail(3);
    clock.advance(Duration.ofSeconds(10));
    breaker.done(pass(), Verdict.NEUTRAL);
    assertEquals(State.HALF_OPEN, breaker.state());
    Pass next = pass();
    assertEquals(true, next.probe());
    breaker.done(next, Verdict.SUCCESS);
    assertEquals(List.of("CLOSED->OPEN 10s", "OPEN->HALF_OPEN 10s", "HALF_OPEN->CLOSED 10s"), changes);
  }

  @Test
  void aLostProbeIsReplacedAfterMaxOpenFor() {
    fail(3);
    clock.advance(Duration.ofSeconds(10));
    pass();
    clock.advance(Duration.ofSeconds(29));
    assertInstanceOf(Refused.class, breaker.admit());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(true, pass().probe());
  }

  @Test
  void requestsAdmittedBeforeItOpenedChangeNothingWhenTheyEnd() {
    List<Pass> inFlight = List.of(pass(), pass(), pass(), pass());
    for (int i = 0; i < 3; i++) breaker.done(inFlight.get(i), Verdict.FAILURE);
    breaker.done(inFlight.get(3), Verdict.SUCCESS);
    assertEquals(State.OPEN, breaker.state());
    clock.advance(Duration.ofSeconds(10));
    Pass probe = pass();
    breaker.done(inFlight.get(0), Verdict.SUCCESS);
    assertEquals(State.HALF_OPEN, breaker.state());
    breaker.done(probe, Verdict.FAILURE);
    assertEquals(State.OPEN, breaker.state());
  }

  @Test
  void onlyTheUpstreamsFaultsCountAsFailures() {
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Responded(502, 0, 0)));
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Responded(503, 0, 0)));
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Responded(504, 0, 0)));
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Failed(new Rejection.GatewayTimeout(false))));
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Failed(new Rejection.BadGateway(UpstreamFailures.UNREACHABLE, "x"))));
    assertEquals(Verdict.FAILURE, Breakers.verdict(new Proxied.Failed(new Rejection.BadGateway(UpstreamFailures.RESET, "x"))));
    for (int status : new int[] {200, 101, 304, 400, 401, 404, 429, 500, 501}) {
      assertEquals(Verdict.SUCCESS, Breakers.verdict(new Proxied.Responded(status, 0, 0)), "status " + status);
    }
    assertEquals(Verdict.NEUTRAL, Breakers.verdict(new Proxied.Failed(new Rejection.PayloadTooLarge(10))));
    assertEquals(Verdict.NEUTRAL, Breakers.verdict(new Proxied.Failed(new Rejection.BadRequest("invalid_content_length", "x"))));
    assertEquals(Verdict.NEUTRAL, Breakers.verdict(new Proxied.Aborted("client_closed")));
    assertEquals(Verdict.NEUTRAL, Breakers.verdict(new Proxied.Failed(new Rejection.GatewayTimeout(true))),
        "a wait behind busy pooled connections is the gateway's queue, not the upstream");
  }
}
