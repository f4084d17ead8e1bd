package gatehouse.ratelimit;

import io.vertx.core.Future;
import java.time.Clock;

/**
 * Token buckets by key. The local implementation is exact within one process; the shared one
 * ({@link RedisRateLimiter}) answers the same {@link Verdict}s for every instance on one Redis.
 */
public interface RateLimiter {

  /**
   * Takes one token from {@code key}'s bucket of {@code limit} ({@link BucketKey#name}). A key seen
   * with a new limit starts over with a full bucket of it. The future always succeeds (a limiter
   * that cannot answer says {@link Verdict.Unavailable}); never blocks the calling event loop.
   */
  Future<Verdict> acquire(String key, Limit limit);

  /**
   * Releases what the limiter holds (connections, timers); decisions asked afterwards are not
   * defined. The local limiter holds nothing. Never fails.
   */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Buckets in this process, timed by {@code clock}; idle buckets (full by then) are dropped. */
  static RateLimiter local(Clock clock) {
    return new LocalRateLimiter(clock);
  }
}
