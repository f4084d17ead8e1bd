package gatehouse.authn.introspect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import gatehouse.credential.SecretHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Introspection answers, keyed by provider name and the token's SHA-256 (never the token; a key
 * without the provider would let one server's answer vouch for a token at another, Oathkeeper's
 * CVE-2026-33496). Holds the answer, never a route's decision: the authorizer checks the route's
 * roles and scopes on every request, hit or miss (Oathkeeper's CVE-2021-32701 was that bypass).
 *
 * <p>An active answer lives for {@code min(cacheTtl, exp - now)}, an inactive one for {@code
 * negativeTtl}; a zero lifetime is not stored. Size is bounded (Caffeine evicts by frequency and
 * recency). Caffeine's ticker reads the injected clock, so tests expire entries by moving it.
 */
final class AnswerCache {

  /** Provider name plus the token's SHA-256. */
  record Key(String provider, SecretHash token) {
    static Key of(String provider, gatehouse.credential.Secret token) {
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

  private final Cache<Key, Answer> cache;
  private final Clock clock;
  private final Duration ttl;
  private final Duration negativeTtl;

  AnswerCache(Clock clock, int maximumSize, Duration ttl, Duration negativeTtl) {
    this.clock = clock;
    this.ttl = ttl;
    this.negativeTtl = negativeTtl;
    Instant origin = clock.instant();
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(() -> Duration.between(origin, clock.instant()).toNanos())
        .expireAfter(Expiry.writing((Key key, Answer answer) -> lifetime(answer)))
        .executor(Runnable::run)
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

  /** The cached answer, or null; an active answer past its {@code exp} by the clock is a miss. */
  Answer get(Key key) {
    Answer answer = cache.getIfPresent(key);
    if (answer instanceof Answer.Active a && a.expiresAt().isPresent() && !clock.instant().isBefore(a.expiresAt().get())) {
      cache.invalidate(key);
      return null;
    }
    return answer;
  }

  /** Stores {@code answer} unless its lifetime is zero (failures, zero TTLs, expired tokens). */
  void put(Key key, Answer answer) {
    if (lifetime(answer).compareTo(Duration.ZERO) > 0) cache.put(key, answer);
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
