package gatehouse.authn.jwt;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Identity;
import java.time.Instant;

/** What a provider decided about one token; the authenticator turns it into an {@code Authentication}. */
sealed interface Verdict {

  /** Valid; {@code thumbprint} names the key that verified it, {@code expiresAt} is its {@code exp}. */
  record Accepted(Identity identity, String thumbprint, Instant expiresAt) implements Verdict {}

  record Refused(AuthFailure failure) implements Verdict {}

  /** No usable key set: the token can be neither accepted nor refused. */
  record Unavailable(String dependency) implements Verdict {}
}
