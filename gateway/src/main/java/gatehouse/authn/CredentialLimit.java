package gatehouse.authn;

import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import java.time.Duration;
import java.util.Optional;

/**
 * The limits stored with the credential itself, counted for {@code credentialId} (the key's id,
 * never its secret): an API key's {@code rate_limit} ({@code rate}, a bucket of requests per
 * window) and its {@code quota} (requests per calendar day or month). At least one is present. The
 * authenticator only reports them; the limit stage enforces them.
 */
public record CredentialLimit(String credentialId, Optional<Limit> rate, Optional<CalendarQuota> quota) {
  public CredentialLimit {
    if (rate.isEmpty() && quota.isEmpty()) throw new IllegalArgumentException("a credential limit needs a rate or a quota");
  }

  /** At most {@code requests} per {@code window}, no quota. */
  public CredentialLimit(String credentialId, long requests, Duration window) {
    this(credentialId, Optional.of(new Limit(requests, window)), Optional.empty());
  }
}
