package gatehouse.ratelimit;

import java.time.Duration;

/**
 * The arithmetic of one bucket, exact in integers: a token is worth {@code window} nanos of credit
 * units, and each nano of elapsed time adds {@code requests} units. So the bucket holds {@code
 * requests * window} units when full, and never rounds a partial token away.
 */
final class TokenBucket {
  private TokenBucket() {}

  /** An immutable bucket state: {@code credit} units at {@code atNanos} (clock time). */
  record State(Limit limit, long credit, long atNanos) {}

  static State full(Limit limit, long nowNanos) {
    return new State(limit, capacity(limit), nowNanos);
  }

  /** The state refilled up to {@code nowNanos}; time going backwards refills nothing. */
  static State refill(State s, long nowNanos) {
    long elapsed = nowNanos - s.atNanos();
    if (elapsed <= 0) return s;
    long window = s.limit().window().toNanos();
    long cap = capacity(s.limit());
    // Past one window the bucket is full whatever the credit was; capping first avoids overflow.
    long added = Math.min(elapsed, window) * s.limit().requests();
    return new State(s.limit(), Math.min(cap, s.credit() + added), nowNanos);
  }

  static long tokens(State s) {
    return s.credit() / s.limit().window().toNanos();
  }

  static State take(State s) {
    return new State(s.limit(), s.credit() - s.limit().window().toNanos(), s.atNanos());
  }

  /** Time until one whole token is available. */
  static Duration untilOneToken(State s) {
    long missing = s.limit().window().toNanos() - s.credit();
    return missing <= 0 ? Duration.ZERO : Duration.ofNanos(ceilDiv(missing, s.limit().requests()));
  }

  /** Time until the bucket is full. */
  static Duration untilFull(State s) {
    long missing = capacity(s.limit()) - s.credit();
    return missing <= 0 ? Duration.ZERO : Duration.ofNanos(ceilDiv(missing, s.limit().requests()));
  }

  private static long capacity(Limit limit) {
    return Math.multiplyExact(limit.requests(), limit.window().toNanos());
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
