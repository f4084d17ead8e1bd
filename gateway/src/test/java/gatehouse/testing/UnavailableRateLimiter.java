package gatehouse.testing;

import gatehouse.ratelimit.BucketState;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.QuotaVerdict;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.Verdict;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link RateLimiter} that can never answer, as a shared limiter whose store is down would say:
 * every request is {@link Verdict.Unavailable}. A test double of the interface, because the remote
 * implementation it stands for (Redis, shared by a fleet) does not exist yet. Records the keys it
 * was asked about.
 */
public final class UnavailableRateLimiter implements RateLimiter {
  private final List<String> asked = Collections.synchronizedList(new ArrayList<>());

  @Override
  public Future<Verdict> acquire(String key, Limit limit) {
    asked.add(key);
    return Future.succeededFuture(new Verdict.Unavailable(limit, "test: the shared limiter did not answer"));
  }

  @Override
  public Future<QuotaVerdict> reserve(String key, CalendarQuota quota) {
    asked.add(key);
    return Future.succeededFuture(new QuotaVerdict.Unavailable(quota, "test: the shared limiter did not answer"));
  }

  @Override
  public Future<Void> release(String key, QuotaVerdict.Counted counted) {
    return Future.succeededFuture();
  }

  @Override
  public Future<BucketState> peek(String key, Limit limit) {
    return Future.failedFuture("test: the shared limiter did not answer");
  }

  @Override
  public Future<QuotaVerdict.State> peek(String key, CalendarQuota quota) {
    return Future.failedFuture("test: the shared limiter did not answer");
  }

  /** The bucket keys asked about, in order. */
  public List<String> asked() {
    return List.copyOf(asked);
  }
}
