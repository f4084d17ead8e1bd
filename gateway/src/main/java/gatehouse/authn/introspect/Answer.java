package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Identity;
import java.time.Instant;
import java.util.Optional;

/**
 * What one introspection call established about one token. {@link Active} and {@link Inactive}
 * are the authorization server's answer and may be cached; {@link Failed} means there was no
 * usable answer, is never cached and counts against the circuit breaker.
 */
sealed interface Answer {

  /** Active and acceptable; {@code expiresAt} is the answer's {@code exp}, when it has one. */
  record Active(Identity identity, Optional<Instant> expiresAt) implements Answer {}

  /** Not active, or active but not for us (expired, refresh token, wrong issuer or audience). */
  record Inactive(AuthFailure failure) implements Answer {}

  /**
   * No usable answer: unreachable, too slow, an HTTP error, our client credentials refused, or a
   * body that is not an RFC 7662 answer. {@code reason} is fit for the log; it never holds the token.
   */
  record Failed(String reason) implements Answer {}
}
