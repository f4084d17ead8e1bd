package gatehouse.limit;

import gatehouse.authn.CredentialLimit;
import gatehouse.ratelimit.BucketKey;
import gatehouse.ratelimit.BucketState;
import gatehouse.ratelimit.QuotaVerdict;
import gatehouse.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * A key's own limits as the limit stage counts them now, read without taking a token or counting
 * a request: its per-window bucket and its quota, each when it has one.
 */
public record KeyUsage(String keyId, Optional<BucketState> rate, Optional<QuotaVerdict.State> quota) {

  /**
   * Reads {@code own}'s bucket and quota from {@code limiter} (both under the names {@link Limits}
   * counts them by); empty {@code own}: a key without limits. Fails when the limiter cannot read.
   */
  public static Future<KeyUsage> read(RateLimiter limiter, String keyId, Optional<CredentialLimit> own) {
    String name = new BucketKey.Key(keyId).name();
    Future<Optional<BucketState>> rate = own.flatMap(CredentialLimit::rate)
        .map(l -> limiter.peek(name, l).map(Optional::of)).orElse(Future.succeededFuture(Optional.empty()));
    Future<Optional<QuotaVerdict.State>> quota = own.flatMap(CredentialLimit::quota)
        .map(q -> limiter.peek(name, q).map(Optional::of)).orElse(Future.succeededFuture(Optional.empty()));
    return Future.all(rate, quota).map(all -> new KeyUsage(keyId, rate.result(), quota.result()));
  }

  /**
   * The admin API's and the CLI's JSON: {@code rate_limit} ({@code limit}, {@code window_seconds},
   * {@code remaining}, {@code reset_seconds} until full, rounded up as RateLimit-Reset is) and
   * {@code quota} ({@code limit}, {@code period}, {@code used}, {@code remaining}, {@code
   * window_start}, {@code window_end}, {@code reset_seconds}), each null when the key has none.
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", keyId);
    o.put("rate_limit", rate.map(b -> new JsonObject()
        .put("limit", b.limit().requests())
        .put("window_seconds", b.limit().window().toSeconds())
        .put("remaining", b.remaining())
        .put("reset_seconds", ceilSeconds(b.resetAfter()))).orElse(null));
    o.put("quota", quota.map(q -> new JsonObject()
        .put("limit", q.quota().requests())
        .put("period", q.quota().period().word())
        .put("used", q.used())
        .put("remaining", q.remaining())
        .put("window_start", q.window().start().toString())
        .put("window_end", q.window().end().toString())
        .put("reset_seconds", ceilSeconds(q.untilEnd()))).orElse(null));
    return o;
  }

  private static long ceilSeconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }
}
