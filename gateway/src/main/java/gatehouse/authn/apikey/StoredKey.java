package gatehouse.authn.apikey;

import gatehouse.ratelimit.CalendarQuota;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One row of the key store. {@code hash} is the only trace of the key itself. */
record StoredKey(
    String id,
    String hash,
    String displayPrefix,
    String ownerId,
    Optional<String> name,
    Set<String> scopes,
    Optional<Integer> rateLimit,
    Optional<CalendarQuota> quota,
    Instant createdAt,
    Optional<Instant> expiresAt,
    Optional<Instant> revokedAt,
    Optional<Instant> lastUsedAt) {

  StoredKey {
    scopes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(scopes));
  }

  /** A key without a quota. */
  StoredKey(String id, String hash, String displayPrefix, String ownerId, Optional<String> name, Set<String> scopes,
      Optional<Integer> rateLimit, Instant createdAt, Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt) {
    this(id, hash, displayPrefix, ownerId, name, scopes, rateLimit, Optional.empty(), createdAt, expiresAt, revokedAt, lastUsedAt);
  }

  ApiKeyInfo.State state(Instant now) {
    if (revokedAt.isPresent() && !revokedAt.get().isAfter(now)) return ApiKeyInfo.State.REVOKED;
    if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) return ApiKeyInfo.State.EXPIRED;
    return ApiKeyInfo.State.ACTIVE;
  }

  ApiKeyInfo info(Instant now) {
    return new ApiKeyInfo(id, displayPrefix, ownerId, name, scopes, rateLimit, quota, createdAt, expiresAt, revokedAt, lastUsedAt, state(now));
  }
}
