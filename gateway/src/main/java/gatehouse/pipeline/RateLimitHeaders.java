package gatehouse.pipeline;

import gatehouse.authn.Quota;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rate-limit response fields of draft-ietf-httpapi-ratelimit-headers-06: {@code
 * RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (delta seconds until the
 * quota is whole again, rounded up) and {@code RateLimit-Policy} ({@code limit;w=window seconds}).
 * Sent on every response to a rate-limited key, 429 included.
 */
final class RateLimitHeaders {
  private RateLimitHeaders() {}

  static Map<String, String> of(Quota q) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("RateLimit-Limit", Long.toString(q.limit()));
    h.put("RateLimit-Remaining", Long.toString(q.remaining()));
    h.put("RateLimit-Reset", Long.toString(ceilSeconds(q.reset())));
    h.put("RateLimit-Policy", q.limit() + ";w=" + ceilSeconds(q.window()));
    return h;
  }

  private static long ceilSeconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }
}
