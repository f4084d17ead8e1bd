package gatehouse.authn.apikey;

import gatehouse.authn.CredentialLimit;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What may be shown about a key: never the key, never its hash. {@code prefix} is the first
 * characters of the key, enough to recognise it, far too few to guess the rest.
 *
 * @param rateLimit requests per minute; empty: no limit
 * @param quota requests per calendar day or month (UTC); empty: no quota
 */
public record ApiKeyInfo(
    String id,
    String prefix,
    String ownerId,
    Optional<String> name,
    Set<String> scopes,
    Optional<Integer> rateLimit,
    Optional<CalendarQuota> quota,
    Instant createdAt,
    Optional<Instant> expiresAt,
    Optional<Instant> revokedAt,
    Optional<Instant> lastUsedAt,
    State state) {

  public enum State { ACTIVE, EXPIRED, REVOKED }

  /** The key's limits as the limit stage enforces them; empty when it has neither a rate limit nor a quota. */
  public Optional<CredentialLimit> limit() {
    return limit(id, rateLimit, quota);
  }

  static Optional<CredentialLimit> limit(String id, Optional<Integer> rateLimit, Optional<CalendarQuota> quota) {
    if (rateLimit.isEmpty() && quota.isEmpty()) return Optional.empty();
    return Optional.of(new CredentialLimit(id, rateLimit.map(Limit::perMinute), quota));
  }

  /** The JSON the CLI's {@code --json} and the admin API print. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject()
        .put("id", id)
        .put("prefix", prefix)
        .put("owner", ownerId)
        .put("name", name.orElse(null))
        .put("scopes", new JsonArray(scopes.stream().toList()))
        .put("rate_limit", rateLimit.orElse(null))
        .put("quota", quota.map(CalendarQuota::toString).orElse(null))
        .put("created_at", createdAt.toString())
        .put("expires_at", expiresAt.map(Instant::toString).orElse(null))
        .put("revoked_at", revokedAt.map(Instant::toString).orElse(null))
        .put("last_used_at", lastUsedAt.map(Instant::toString).orElse(null))
        .put("state", state.name().toLowerCase(java.util.Locale.ROOT));
    return o;
  }
}
