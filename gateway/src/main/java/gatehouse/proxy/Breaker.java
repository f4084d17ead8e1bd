package gatehouse.proxy;

import gatehouse.config.BreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One circuit breaker: closed, open, half-open. Shared by every event loop; each transition is one
 * compare-and-set of an immutable state, so no caller ever waits. Time comes from the injected
 * clock only.
 *
 * <p>Closed: every request passes; {@code consecutive_failures} failures in a row open it (a success
 * resets the count). Open: every request is refused until {@code open_for} has passed. Then the
 * first request to arrive is the one probe (half-open) and the others are still refused; the
 * probe's success closes the breaker, its failure opens it again for twice the last period, up to
 * {@code max_open_for}. A probe that ends neither way (the client went away) lets the next request
 * probe instead. Outcomes of requests admitted while closed but ending after the breaker opened
 * change nothing.
 */
final class Breaker {

  /** The gauge's values: 0 closed, 1 open, 2 half-open. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  /** How an admitted request ended, for this breaker. */
  enum Verdict {
    /** The upstream answered, with a status that is not a gateway failure. */
    SUCCESS,
    /** The upstream's fault: unreachable, timed out, reset, or answered 502/503/504. */
    FAILURE,
    /** Says nothing about the upstream: the client went away, or the gateway refused the request. */
    NEUTRAL
  }

  /** Whether a request may go upstream. */
  sealed interface Admission {}

  /** It may; {@code probe} when it is the half-open breaker's one probe. */
  record Pass(boolean probe) implements Admission {}

  /** It may not; the client may try again after {@code retryAfter}. */
  record Refused(Duration retryAfter) implements Admission {}

  /** Told of every change of {@link State}, once, by the thread that made it. */
  interface Listener {
    void changed(State from, State to, Duration openFor);
  }

  /** While a probe is out, the others are told to come back after this. */
  static final Duration PROBE_RETRY_AFTER = Duration.ofSeconds(1);

  private static final Pass PASS = new Pass(false);
  private static final Pass PROBE = new Pass(true);

  /**
   * @param failures consecutive failures while closed
   * @param until epoch millis: while open, when a probe may go; while half-open with a probe out,
   *     when that probe is taken for lost and another may go
   * @param openFor the current open period (doubles on each failed probe)
   * @param probing half-open only: a probe is out
   */
  private record Snapshot(State state, int failures, long until, Duration openFor, boolean probing) {}

  final BreakerConfig config;
  private final Clock clock;
  private final Listener listener;
  private final AtomicReference<Snapshot> current;

  Breaker(BreakerConfig config, Clock clock, Listener listener) {
    this.config = config;
    this.clock = clock;
    this.listener = listener;
    this.current = new AtomicReference<>(closed(0));
  }

  State state() {
    return current.get().state();
  }

  Admission admit() {
    long now = clock.millis();
    while (true) {
      Snapshot s = current.get();
      if (s.state() == State.CLOSED) return PASS;
      if (now < s.until()) {
        return s.state() == State.OPEN ? new Refused(Duration.ofMillis(s.until() - now)) : new Refused(PROBE_RETRY_AFTER);
      }
      // Open and its period is over, or half-open with no probe out (or a lost one): this request probes.
      Snapshot probing = new Snapshot(State.HALF_OPEN, 0, now + config.maxOpenFor().toMillis(), s.openFor(), true);
      if (current.compareAndSet(s, probing)) {
        if (s.state() == State.OPEN) listener.changed(State.OPEN, State.HALF_OPEN, s.openFor());
        return PROBE;
      }
    }
  }

  /** Notes how a request that {@link #admit} passed ended. */
  void done(Pass pass, Verdict verdict) {
    while (true) {
      Snapshot s = current.get();
      Snapshot next;
      if (pass.probe()) {
        if (s.state() != State.HALF_OPEN || !s.probing()) return;
        if (verdict == Verdict.SUCCESS) {
          next = closed(0);
        } else if (verdict == Verdict.FAILURE) {
          Duration doubled = s.openFor().multipliedBy(2);
          next = open(doubled.compareTo(config.maxOpenFor()) > 0 ? config.maxOpenFor() : doubled);
        } else {
          next = new Snapshot(State.HALF_OPEN, 0, 0, s.openFor(), false);
        }
      } else {
        if (s.state() != State.CLOSED || verdict == Verdict.NEUTRAL) return;
        if (verdict == Verdict.SUCCESS) {
          if (s.failures() == 0) return;
          next = closed(0);
        } else {
          next = s.failures() + 1 >= config.consecutiveFailures() ? open(config.openFor()) : closed(s.failures() + 1);
        }
      }
      if (current.compareAndSet(s, next)) {
        if (next.state() != s.state()) listener.changed(s.state(), next.state(), next.openFor());
        return;
      }
    }
  }

  private Snapshot closed(int failures) {
    return new Snapshot(State.CLOSED, failures, 0, config.openFor(), false);
  }

  private Snapshot open(Duration openFor) {
    return new Snapshot(State.OPEN, 0, clock.millis() + openFor.toMillis(), openFor, false);
  }
}
