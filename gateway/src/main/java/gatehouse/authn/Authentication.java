package gatehouse.authn;

import java.time.Duration;
import java.util.Optional;

/** The answer of an {@link Authenticator}: every outcome is a value, never an exception. */
public sealed interface Authentication {

  /** The credential is valid; {@code quota} when it is rate-limited (the client is told its state). */
  record Authenticated(Identity identity, Optional<Quota> quota) implements Authentication {
    public Authenticated(Identity identity) {
      this(identity, Optional.empty());
    }
  }

  /** The credential was presented and is not valid: 401. Never treated as absent. */
  record Rejected(AuthFailure failure) implements Authentication {}

  /**
   * The credential could not be checked because {@code dependency} (a JWKS endpoint, an IdP, the
   * key store) is unreachable: 503, fail closed, the credential may well be valid.
   */
  record Unverifiable(String dependency) implements Authentication {}

  /** The credential is valid but has used up its rate limit: 429, retry after {@code retryAfter}. */
  record Throttled(Quota quota, Duration retryAfter) implements Authentication {}
}
