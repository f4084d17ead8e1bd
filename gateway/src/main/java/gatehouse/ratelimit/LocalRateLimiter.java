package gatehouse.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@link TokenBucket} per key in this process. Each bucket is an immutable state swapped by
 * compare-and-set, so concurrent requests on one key from several event loops take exactly one
 * token each and never more than the bucket holds. Quotas likewise: one count per key and period,
 * the window it counts and the requests in it, swapped by compare-and-set; a new window starts
 * from zero.
 */
final class LocalRateLimiter implements RateLimiter {
  /** A bucket untouched for this long is full again, so dropping it changes no answer. */
  private static final Duration IDLE = Duration.ofDays(1).plusMinutes(1);

  private final Clock clock;
  private final Cache<String, AtomicReference<TokenBucket.State>> buckets;
  /** Quota counts by {@code key|period}; one untouched for longer than a month has ended its window. */
  private final Cache<String, AtomicReference<Count>> counts;

  /** {@code used} requests counted in the window starting at {@code start}. */
  private record Count(Instant start, long used) {}

  LocalRateLimiter(Clock clock) {
    this.clock = clock;
    this.buckets = Caffeine.newBuilder()
        .ticker(() -> nanos(clock))
        .expireAfterAccess(IDLE)
        .build();
    this.counts = Caffeine.newBuilder()
        .ticker(() -> nanos(clock))
        .expireAfterAccess(Duration.ofDays(32))
        .build();
  }

  @Override
  public Future<Verdict> acquire(String key, Limit limit) {
    return Future.succeededFuture(take(key, limit));
  }

  Verdict take(String key, Limit limit) {
    long now = nanos(clock);
    AtomicReference<TokenBucket.State> ref = buckets.get(key, k -> new AtomicReference<>(TokenBucket.full(limit, now)));
    while (true) {
      TokenBucket.State before = ref.get();
      TokenBucket.State current = before.limit().equals(limit)
          ? TokenBucket.refill(before, now)
          : TokenBucket.full(limit, now);
      if (TokenBucket.tokens(current) < 1) {
        if (ref.compareAndSet(before, current)) {
          return new Verdict.Denied(limit, TokenBucket.untilOneToken(current), TokenBucket.untilFull(current));
        }
        continue;
      }
      TokenBucket.State after = TokenBucket.take(current);
      if (ref.compareAndSet(before, after)) {
        return new Verdict.Allowed(limit, TokenBucket.tokens(after), TokenBucket.untilFull(after));
      }
    }
  }

  @Override
  public Future<QuotaVerdict> reserve(String key, CalendarQuota quota) {
    return Future.succeededFuture(count(key, quota, quota.requests()));
  }

  /**
   * Counts one request against {@code quota} if fewer than {@code allowed} are counted in the window
   * now (the verdict names {@code quota}, whatever {@code allowed} is).
   */
  QuotaVerdict count(String key, CalendarQuota quota, long allowed) {
    Instant now = clock.instant();
    CalendarQuota.Window window = quota.windowAt(now);
    AtomicReference<Count> ref = counts.get(countKey(key, quota), k -> new AtomicReference<>(new Count(window.start(), 0)));
    while (true) {
      Count before = ref.get();
      long used = before.start().equals(window.start()) ? before.used() : 0;
      if (used >= allowed) return new QuotaVerdict.Exhausted(state(quota, window, used, now));
      Count after = new Count(window.start(), used + 1);
      if (ref.compareAndSet(before, after)) return new QuotaVerdict.Counted(state(quota, window, used + 1, now), false);
    }
  }

  @Override
  public Future<Void> release(String key, QuotaVerdict.Counted counted) {
    AtomicReference<Count> ref = counts.getIfPresent(countKey(key, counted.quota()));
    if (ref == null) return Future.succeededFuture();
    Instant start = counted.state().window().start();
    while (true) {
      Count before = ref.get();
      if (!before.start().equals(start) || before.used() == 0) return Future.succeededFuture();
      if (ref.compareAndSet(before, new Count(start, before.used() - 1))) return Future.succeededFuture();
    }
  }

  @Override
  public Future<BucketState> peek(String key, Limit limit) {
    AtomicReference<TokenBucket.State> ref = buckets.getIfPresent(key);
    TokenBucket.State s = ref == null ? null : ref.get();
    if (s == null || !s.limit().equals(limit)) return Future.succeededFuture(new BucketState(limit, limit.requests(), Duration.ZERO));
    TokenBucket.State now = TokenBucket.refill(s, nanos(clock));
    return Future.succeededFuture(new BucketState(limit, TokenBucket.tokens(now), TokenBucket.untilFull(now)));
  }

  @Override
  public Future<QuotaVerdict.State> peek(String key, CalendarQuota quota) {
    Instant now = clock.instant();
    CalendarQuota.Window window = quota.windowAt(now);
    AtomicReference<Count> ref = counts.getIfPresent(countKey(key, quota));
    Count c = ref == null ? null : ref.get();
    long used = c != null && c.start().equals(window.start()) ? c.used() : 0;
    return Future.succeededFuture(state(quota, window, used, now));
  }

  private static String countKey(String key, CalendarQuota quota) {
    return key + "|" + quota.period().word();
  }

  private static QuotaVerdict.State state(CalendarQuota quota, CalendarQuota.Window window, long used, Instant now) {
    return new QuotaVerdict.State(quota, window, used, Duration.between(now, window.end()));
  }

  private static long nanos(Clock clock) {
    java.time.Instant i = clock.instant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
