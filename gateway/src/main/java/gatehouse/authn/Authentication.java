package gatehouse.authn;

import java.util.Optional;

/** The answer of an {@link Authenticator}: every outcome is a value, never an exception. */
public sealed interface Authentication {

  /**
   * The credential is valid; {@code limit} when the credential carries a rate limit of its own,
   * which the limit stage enforces after authorization.
   */
  record Authenticated(Identity identity, Optional<CredentialLimit> limit) implements Authentication {
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
}
