package gatehouse.ratelimit;

import java.math.BigInteger;
import java.time.Duration;

/**
 * The arithmetic of one bucket, exact in integers: a token is worth {@code window} nanos of credit
 * units, and each nano of elapsed time adds {@code requests} units. So the bucket holds {@code
 * requests * window} units when full, and never rounds a partial token away. The credit is kept as
 * whole tokens plus a remainder below one token, so no value overflows for any {@link Limit}
 * (10^9 per day is 8.64 × 10^22 units); {@code token_bucket.lua} does the same on Redis.
 */
final class TokenBucket {
  private TokenBucket() {}

  /**
   * An immutable bucket state: {@code tokens * window + fraction} units at {@code atNanos} (clock
   * time), {@code 0 <= fraction < window} in nanos.
   */
  record State(Limit limit, long tokens, long fraction, long atNanos) {}

  static State full(Limit limit, long nowNanos) {
    return new State(limit, limit.requests(), 0, nowNanos);
  }

  /** The state refilled up to {@code nowNanos}; time going backwards refills nothing. */
  static State refill(State s, long nowNanos) {
    long elapsed = nowNanos - s.atNanos();
    if (elapsed <= 0) return s;
    long window = s.limit().window().toNanos();
    long r = s.limit().requests();
    // Past one window the bucket is full whatever the credit was.
    if (elapsed >= window) return full(s.limit(), nowNanos);
    long[] added = mulDivRem(elapsed, r, window);
    long tokens = s.tokens() + added[0];
    long fraction = s.fraction() + added[1];
    if (fraction >= window) {
      tokens++;
      fraction -= window;
    }
    if (tokens >= r) return full(s.limit(), nowNanos);
    return new State(s.limit(), tokens, fraction, nowNanos);
  }

  static long tokens(State s) {
    return s.tokens();
  }

  static State take(State s) {
    return new State(s.limit(), s.tokens() - 1, s.fraction(), s.atNanos());
  }

  /** Time until one whole token is available. */
  static Duration untilOneToken(State s) {
    if (s.tokens() >= 1) return Duration.ZERO;
    return Duration.ofNanos(ceilDiv(s.limit().window().toNanos() - s.fraction(), s.limit().requests()));
  }

  /** Time until the bucket is full: {@code (requests - tokens) * window - fraction} units at {@code requests} per nano. */
  static Duration untilFull(State s) {
    long r = s.limit().requests();
    long missing = r - s.tokens();
    if (missing <= 0) return Duration.ZERO;
    long[] qr = mulDivRem(missing, s.limit().window().toNanos(), r);
    return Duration.ofNanos(qr[0] + ceilDiv(qr[1] - s.fraction(), r));
  }

  /** {@code a * b / c} and {@code a * b % c}, for non-negative values whose quotient fits a long. */
  static long[] mulDivRem(long a, long b, long c) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if (high == 0 && low >= 0) return new long[] {low / c, low % c};
    BigInteger[] qr = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(c));
    return new long[] {qr[0].longValueExact(), qr[1].longValueExact()};
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
