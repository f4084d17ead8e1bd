package gatehouse.authn.introspect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import gatehouse.secret.SecretHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Introspection answers, keyed by provider name and the token's SHA-256 (never the token; a key
 * without the provider would let one server's answer vouch for a token at another, Oathkeeper's
 * CVE-2026-33496). Holds the answer, never a route's decision: the authorizer checks the route's
 * roles and scopes on every request, hit or miss (Oathkeeper's CVE-2021-32701 was that bypass).
 *
 * <p>An active answer is fresh for {@code min(cacheTtl, exp - now)}, an inactive one for {@code
 * negativeTtl}; a zero lifetime is not stored. With {@code staleIfError} an active answer is kept
 * that much longer, never beyond its {@code exp}, for {@link #stale} only: the authenticator serves
 * it when the server fails, never instead of asking. Size is bounded (Caffeine evicts by frequency and
 * recency). Caffeine's ticker reads the injected clock, so tests expire entries by moving it.
 */
final class AnswerCache {

  /** Provider name plus the token's SHA-256. */
  record Key(String provider, SecretHash token) {
    static Key of(String provider, gatehouse.secret.Secret token) {
      return new Key(provider, token.hash());
    }

    /** The same 12 hex digits as {@code Secret.fingerprint()}: what logs show. */
    String fingerprint() {
      return token.fingerprint();
    }

    @Override
    public String toString() {
      return "Key[" + provider + ", " + fingerprint() + "]";
    }
  }

  /** An answer and the instant it stops being fresh; it is held until its stale window ends. */
  private record Stored(Answer answer, Instant freshUntil) {}

  private final Cache<Key, Stored> cache;
  private final Clock clock;
  private final Duration ttl;
  private final Duration negativeTtl;
  private final Duration staleIfError;

  AnswerCache(Clock clock, int maximumSize, Duration ttl, Duration negativeTtl) {
    this(clock, maximumSize, ttl, negativeTtl, Duration.ZERO);
  }

  AnswerCache(Clock clock, int maximumSize, Duration ttl, Duration negativeTtl, Duration staleIfError) {
    this.clock = clock;
    this.ttl = ttl;
    this.negativeTtl = negativeTtl;
    this.staleIfError = staleIfError;
    Instant origin = clock.instant();
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(() -> Duration.between(origin, clock.instant()).toNanos())
        .expireAfter(Expiry.writing((Key key, Stored stored) -> held(stored.answer())))
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  /** How long {@code answer} may be served from the cache, from now; zero for never. */
  Duration lifetime(Answer answer) {
    if (answer instanceof Answer.Inactive) return negativeTtl;
    if (answer instanceof Answer.Active a) {
      if (a.expiresAt().isEmpty()) return ttl;
      Duration left = Duration.between(clock.instant(), a.expiresAt().get());
      if (left.isNegative()) return Duration.ZERO;
      return left.compareTo(ttl) < 0 ? left : ttl;
    }
    if (answer instanceof Answer.Failed) return Duration.ZERO;
    throw new AssertionError("unknown answer " + answer);
  }

  /** How long {@code answer} is held, from now: its fresh lifetime plus the stale window, within {@code exp}. */
  private Duration held(Answer answer) {
    if (!(answer instanceof Answer.Active a) || staleIfError.isZero()) return lifetime(answer);
    Duration held = ttl.plus(staleIfError);
    if (a.expiresAt().isEmpty()) return held;
    Duration left = Duration.between(clock.instant(), a.expiresAt().get());
    if (left.isNegative()) return Duration.ZERO;
    return left.compareTo(held) < 0 ? left : held;
  }

  /** The fresh cached answer, or null; an active answer past its {@code exp} by the clock is a miss. */
  Answer get(Key key) {
    Stored stored = cache.getIfPresent(key);
    if (stored == null) return null;
    if (expired(stored.answer())) {
      cache.invalidate(key);
      return null;
    }
    return clock.instant().isBefore(stored.freshUntil()) ? stored.answer() : null;
  }

  /**
   * The active answer held for {@code key} past its freshness, within {@code staleIfError} and
   * before its {@code exp}; null otherwise. For when the server cannot answer, never instead of
   * asking it.
   */
  Answer.Active stale(Key key) {
    Stored stored = cache.getIfPresent(key);
    if (stored == null || !(stored.answer() instanceof Answer.Active a) || expired(a)) return null;
    return a;
  }

  private boolean expired(Answer answer) {
    return answer instanceof Answer.Active a && a.expiresAt().isPresent() && !clock.instant().isBefore(a.expiresAt().get());
  }

  /** Stores {@code answer} unless it would be held for no time (failures, zero TTLs, expired tokens). */
  void put(Key key, Answer answer) {
    if (held(answer).compareTo(Duration.ZERO) > 0) cache.put(key, new Stored(answer, clock.instant().plus(lifetime(answer))));
  }

  /** Registers Micrometer's Caffeine meters for this cache, tagged {@code cache=name}. */
  void bindTo(io.micrometer.core.instrument.MeterRegistry registry, String name) {
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, cache, name);
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
