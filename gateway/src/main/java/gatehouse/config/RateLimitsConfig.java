package gatehouse.config;

import java.util.List;
import java.util.Optional;

/**
 * The top-level rate-limit keys.
 *
 * @param everyRoute {@code rate_limits:}: limits every request on every route takes a token from,
 *     one set of buckets for the whole gateway (a route's own {@code rate_limits} come on top)
 * @param failedAuth {@code failed_auth_limit:}: presented credentials refused with 401, counted per
 *     client address ({@link RateLimitConfig.By#ADDRESS}); over it, credentials from that address
 *     are refused with 429 without being verified
 */
public record RateLimitsConfig(List<RateLimitConfig> everyRoute, Optional<RateLimitConfig> failedAuth) {
  public static final RateLimitsConfig NONE = new RateLimitsConfig(List.of(), Optional.empty());

  public RateLimitsConfig {
    everyRoute = List.copyOf(everyRoute);
    failedAuth.ifPresent(f -> {
      if (f.by() != RateLimitConfig.By.ADDRESS) throw new IllegalArgumentException("failed_auth_limit counts by address, got " + f.by());
    });
  }
}
