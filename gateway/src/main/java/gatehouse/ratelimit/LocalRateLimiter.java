package gatehouse.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@link TokenBucket} per key in this process. Each bucket is an immutable state swapped by
 * compare-and-set, so concurrent requests on one key from several event loops take exactly one
 * token each and never more than the bucket holds.
 */
final class LocalRateLimiter implements RateLimiter {
  /** A bucket untouched for this long is full again, so dropping it changes no answer. */
  private static final Duration IDLE = Duration.ofDays(1).plusMinutes(1);

  private final Clock clock;
  private final Cache<String, AtomicReference<TokenBucket.State>> buckets;

  LocalRateLimiter(Clock clock) {
    this.clock = clock;
    this.buckets = Caffeine.newBuilder()
        .ticker(() -> nanos(clock))
        .expireAfterAccess(IDLE)
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

  private static long nanos(Clock clock) {
    java.time.Instant i = clock.instant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
