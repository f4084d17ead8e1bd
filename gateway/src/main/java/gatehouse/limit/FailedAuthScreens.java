package gatehouse.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import gatehouse.config.RateLimitConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses this process saw go over a {@code failed_auth_limit}, and until when, one set per
 * limit as configured. The limiter holds the counts; this holds what the screen needs and the
 * limiter cannot give without taking a token. It lives as long as the process (made once, by the
 * composition root) and each config's {@link Limits} asks it for the set of its limit, so a
 * reload that leaves {@code failed_auth_limit} as it was keeps the screened addresses screened;
 * one that changes it starts a new set (as its buckets start full, their names being new).
 * Thread-safe.
 */
public final class FailedAuthScreens {
  /** At most this many addresses are remembered per limit; one evicted early is verified once more. */
  static final long MAX_SCREENED = 100_000;

  private final Clock clock;
  private final Map<RateLimitConfig, Cache<String, Screened>> sets = new ConcurrentHashMap<>();

  /** An address over {@code failed_auth_limit}: its credentials are refused until {@code until}; the bucket is full at {@code full}. */
  record Screened(Instant until, Instant full) {}

  /** Sets timed by {@code clock}: an entry goes once its limit's window has passed. */
  public FailedAuthScreens(Clock clock) {
    this.clock = clock;
  }

  /** The screened addresses of {@code limit}, kept from an earlier config whose limit was equal. */
  Cache<String, Screened> of(RateLimitConfig limit) {
    return sets.computeIfAbsent(limit, l -> Caffeine.newBuilder().ticker(() -> nanos(clock.instant()))
        .expireAfterWrite(l.per()).maximumSize(MAX_SCREENED).build());
  }

  /** Forgets the sets of limits not in {@code live} (the {@code failed_auth_limit}s of the configs that may still serve). */
  public void retain(Collection<RateLimitConfig> live) {
    Set<RateLimitConfig> kept = Set.copyOf(live);
    sets.keySet().retainAll(kept);
  }

  /** How many limits have a set; for tests. */
  int size() {
    return sets.size();
  }

  private static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
