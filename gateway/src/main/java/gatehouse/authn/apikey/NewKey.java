package gatehouse.authn.apikey;

import gatehouse.ratelimit.CalendarQuota;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new key is for. {@link #problem()} names the first thing wrong with it, in the words the
 * CLI and the admin API show.
 *
 * @param rateLimit requests per minute; empty: no limit
 * @param quota requests per calendar day or month (UTC); empty: no quota
 * @param expiresIn lifetime from creation; empty: until revoked
 */
public record NewKey(String ownerId, Optional<String> name, Set<String> scopes, Optional<Integer> rateLimit, Optional<CalendarQuota> quota,
    Optional<Duration> expiresIn) {
  private static final Pattern OWNER = Pattern.compile("[\\x21-\\x7E]{1,200}");
  private static final Pattern SCOPE = Pattern.compile("[\\x21-\\x2B\\x2D-\\x7E]{1,100}");   // printable, no space or comma
  private static final Pattern NAME = Pattern.compile("[\\x20-\\x7E]{1,200}");

  public NewKey {
    scopes = Set.copyOf(scopes);
  }

  /** A key without a quota. */
  public NewKey(String ownerId, Optional<String> name, Set<String> scopes, Optional<Integer> rateLimit, Optional<Duration> expiresIn) {
    this(ownerId, name, scopes, rateLimit, Optional.empty(), expiresIn);
  }

  public Optional<String> problem() {
    if (!OWNER.matcher(ownerId).matches()) return Optional.of("owner must be 1 to 200 printable ASCII characters without spaces");
    if (name.isPresent() && !NAME.matcher(name.get()).matches()) return Optional.of("name must be 1 to 200 printable ASCII characters");
    for (String s : scopes) {
      if (!SCOPE.matcher(s).matches()) return Optional.of("scope '" + s.replaceAll("[^\\x20-\\x7E]", "?") + "' must be printable ASCII without spaces or commas");
    }
    if (String.join(" ", scopes).length() > 4000) return Optional.of("scopes are longer than 4000 characters in all");
    if (rateLimit.isPresent() && (rateLimit.get() < 1 || rateLimit.get() > 1_000_000)) return Optional.of("rate limit must be between 1 and 1000000 requests per minute");
    if (expiresIn.isPresent() && (expiresIn.get().isNegative() || expiresIn.get().isZero())) return Optional.of("expiry must be in the future");
    return Optional.empty();
  }
}
