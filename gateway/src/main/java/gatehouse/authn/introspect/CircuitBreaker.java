package gatehouse.authn.introspect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps a dead authorization server from being hammered. Closed: every call goes through, and
 * {@code threshold} consecutive failures open it. Open: no call goes through until {@code
 * cooldown} has passed by the injected clock. Then one trial call is let through (half-open); its
 * success closes the breaker, its failure opens it for another cooldown. Thread-safe; the lock is
 * held only to read and update three fields.
 */
final class CircuitBreaker {

  /** The breaker's state, as a value for status reports and tests. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final Clock clock;
  private final int threshold;
  private final Duration cooldown;

  private State state = State.CLOSED;
  private int failures;
  private Instant openUntil = Instant.MIN;
  private final long[] transitions = new long[State.values().length];

  CircuitBreaker(Clock clock, int threshold, Duration cooldown) {
    if (threshold < 1) throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
    this.clock = clock;
    this.threshold = threshold;
    this.cooldown = cooldown;
  }

  /**
   * Whether a call may start now. In the half-open state only one caller gets {@code true} until
   * it reports back through {@link #succeeded} or {@link #failed}.
   */
  synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (clock.instant().isBefore(openUntil)) return false;
        enter(State.HALF_OPEN);
        return true;
      case HALF_OPEN:
        return false;
      default:
        throw new AssertionError(state);
    }
  }

  /** A call got a usable answer (active or not): the server is alive. */
  synchronized void succeeded() {
    if (state != State.CLOSED) enter(State.CLOSED);
    failures = 0;
  }

  /** A call failed. Returns true when this failure opened the breaker (the caller logs that once). */
  synchronized boolean failed() {
    failures++;
    if (state == State.HALF_OPEN || (state == State.CLOSED && failures >= threshold)) {
      enter(State.OPEN);
      openUntil = clock.instant().plus(cooldown);
      return true;
    }
    return false;
  }

  private void enter(State next) {
    state = next;
    transitions[next.ordinal()]++;
  }

  /** How many times the breaker entered {@code state} (counted when a call finds or makes the change). */
  synchronized long transitionsTo(State state) {
    return transitions[state.ordinal()];
  }

  synchronized State state() {
    return state == State.OPEN && !clock.instant().isBefore(openUntil) ? State.HALF_OPEN : state;
  }

  synchronized int consecutiveFailures() {
    return failures;
  }

  Duration cooldown() {
    return cooldown;
  }
}
