package gatehouse.ratelimit;

import io.vertx.core.Future;
import java.time.Clock;

/**
 * Token buckets and calendar quotas by key. The local implementation is exact within one process; the shared one
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
   * Counts one request against {@code key}'s {@code quota} in the calendar window now (by the
   * counter's clock), unless the window's requests are used up (then nothing is counted). Quotas
   * by day and by month of one key are counted apart; a changed {@code requests} keeps the count.
   * The future always succeeds; never blocks the calling event loop.
   */
  Future<QuotaVerdict> reserve(String key, CalendarQuota quota);

  /**
   * Gives back the request {@code counted} counted (a request another limit refused), if its
   * window has not ended. Best effort: the future always succeeds; one not given back stays
   * counted (the quota errs on the side of refusing).
   */
  Future<Void> release(String key, QuotaVerdict.Counted counted);

  /**
   * {@code key}'s bucket of {@code limit} as it is now, taking no token (a bucket never used, or
   * used with another limit, is full). Fails when the limiter cannot read it.
   */
  Future<BucketState> peek(String key, Limit limit);

  /** {@code key}'s count of {@code quota} in the window now, counting nothing. Fails when the limiter cannot read it. */
  Future<QuotaVerdict.State> peek(String key, CalendarQuota quota);

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
