package gatehouse.authn.apikey;

import gatehouse.ratelimit.CalendarQuota;
import java.util.Optional;
import java.util.Set;

/**
 * What to change on an existing key; an empty field is left as it is. The owner, the expiry and the
 * key itself cannot change: a new owner or a new secret is a new key ({@code rotate}).
 *
 * @param scopes the new scopes, all of them
 * @param rateLimit the new limit in requests per minute, or {@link #NO_LIMIT} to remove it
 * @param name the new label
 * @param quota the new quota, or empty inside to remove it
 */
public record KeyEdit(Optional<Set<String>> scopes, Optional<Integer> rateLimit, Optional<String> name,
    Optional<Optional<CalendarQuota>> quota) {
  /** As {@code rateLimit}: the key has no limit from now on. */
  public static final int NO_LIMIT = 0;

  public KeyEdit {
    scopes = scopes.map(Set::copyOf);
  }

  /** An edit that leaves the quota as it is. */
  public KeyEdit(Optional<Set<String>> scopes, Optional<Integer> rateLimit, Optional<String> name) {
    this(scopes, rateLimit, name, Optional.empty());
  }

  /** The first thing wrong with this edit, in the words of {@link NewKey#problem()}. */
  public Optional<String> problem() {
    if (scopes.isEmpty() && rateLimit.isEmpty() && name.isEmpty() && quota.isEmpty()) {
      return Optional.of("nothing to change (scopes, rate_limit, quota, name)");
    }
    Optional<Integer> limit = rateLimit.filter(l -> l != NO_LIMIT);
    return new NewKey("owner", name, scopes.orElse(Set.of()), limit, Optional.empty()).problem();
  }

  StoredKey applyTo(StoredKey k) {
    Optional<Integer> limit = rateLimit.isEmpty() ? k.rateLimit() : rateLimit.filter(l -> l != NO_LIMIT);
    return new StoredKey(k.id(), k.hash(), k.displayPrefix(), k.ownerId(), name.isPresent() ? name : k.name(),
        scopes.orElse(k.scopes()), limit, quota.isPresent() ? quota.get() : k.quota(), k.createdAt(), k.expiresAt(), k.revokedAt(), k.lastUsedAt());
  }
}
