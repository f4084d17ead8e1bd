package gatehouse.ratelimit;

import java.time.Duration;

/**
 * {@code requests} per {@code window}: a bucket of {@code requests} tokens that refills
 * continuously, a full bucket per window. A client that has been quiet for a window may send
 * {@code requests} at once (the burst), then one every {@code window / requests}.
 */
public record Limit(long requests, Duration window) {
  public Limit {
    if (requests < 1) throw new IllegalArgumentException("requests must be at least 1, got " + requests);
    if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive, got " + window);
    if (requests > 1_000_000_000L || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("limit out of range: " + requests + " per " + window);
    }
  }

  /** {@code requests} per minute, as API keys store them. */
  public static Limit perMinute(long requests) {
    return new Limit(requests, Duration.ofMinutes(1));
  }
}
