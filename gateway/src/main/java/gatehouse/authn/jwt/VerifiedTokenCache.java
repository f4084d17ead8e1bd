package gatehouse.authn.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import gatehouse.authn.Identity;
import gatehouse.secret.SecretHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Identities of tokens already verified, keyed by the token's SHA-256 so the cache holds no token.
 * An entry lives until its token's {@code exp} (not {@code exp} plus skew: a cache must never
 * extend a token) and is dropped when the key that verified it leaves its provider's key set.
 * Route requirements are checked on the identity by the next stage on every request, so caching the
 * identity does not cache any authorization.
 *
 * <p>Time is the injected clock: Caffeine's ticker reads it, so tests expire entries by moving a
 * clock, not by sleeping. Maintenance runs on the calling thread; it is bounded and short.
 */
final class VerifiedTokenCache {
  static final int DEFAULT_MAXIMUM_SIZE = 10_000;

  /**
   * One verified token. {@code verifiedBy} is the compiled provider that verified it: the cache
   * outlives a config, and an entry answers only for that provider, not for a later config's
   * provider of the same name whose rules (roles claim, audiences, ...) may differ.
   */
  record Entry(Identity identity, String provider, JwtProvider verifiedBy, String thumbprint, Instant expiresAt) {}

  private final Cache<SecretHash, Entry> cache;
  private final Clock clock;

  VerifiedTokenCache(int maximumSize, Clock clock) {
    this.clock = clock;
    Instant origin = clock.instant();
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(() -> Duration.between(origin, clock.instant()).toNanos())
        .expireAfter(Expiry.writing((SecretHash key, Entry entry) -> lifetime(entry)))
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  private Duration lifetime(Entry entry) {
    Duration left = Duration.between(clock.instant(), entry.expiresAt());
    if (left.isNegative()) return Duration.ZERO;
    Duration max = Duration.ofDays(365);
    return left.compareTo(max) > 0 ? max : left;
  }

  /** The entry for this token, if cached and not past its {@code exp} by the clock. */
  Entry get(SecretHash digest) {
    Entry entry = cache.getIfPresent(digest);
    if (entry == null || !clock.instant().isBefore(entry.expiresAt())) return null;
    return entry;
  }

  void put(SecretHash digest, Entry entry) {
    if (clock.instant().isBefore(entry.expiresAt())) cache.put(digest, entry);
  }

  void remove(SecretHash digest) {
    cache.invalidate(digest);
  }

  /** Drops every entry of {@code provider} verified by a key with one of these thumbprints. */
  void invalidateKeys(String provider, Set<String> thumbprints) {
    cache.asMap().values().removeIf(e -> e.provider().equals(provider) && thumbprints.contains(e.thumbprint()));
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Registers Micrometer's Caffeine meters for this cache, tagged {@code cache=name}. */
  void bindTo(io.micrometer.core.instrument.MeterRegistry registry, String name) {
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, cache, name);
  }

  CacheStats stats() {
    return cache.stats();
  }
}
