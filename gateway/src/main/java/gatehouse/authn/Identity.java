package gatehouse.authn;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A verified identity. Built only by an authenticator from a credential it verified; immutable.
 *
 * @param subject who: the JWT {@code sub}, or the API key's owner
 * @param scheme how the identity was established
 * @param issuer the JWT provider name or the key store that vouched for it
 * @param roles roles granted (from the configured roles claim)
 * @param scopes OAuth scopes or API-key scopes granted
 * @param claims the verified claims, as verified; stage 6 chooses the ones its headers carry
 * @param expiresAt when the credential stops being valid, if it says
 * @param certificateNames for {@link Scheme#MTLS}: every name of the client certificate (subject
 *     CN, DNS, URI and email SANs), which {@code mtls} policies match; empty otherwise
 */
public record Identity(
    String subject,
    Scheme scheme,
    String issuer,
    Set<String> roles,
    Set<String> scopes,
    VerifiedClaims claims,
    Optional<Instant> expiresAt,
    Set<String> certificateNames) {

  public Identity {
    roles = Set.copyOf(roles);
    scopes = Set.copyOf(scopes);
    java.util.Objects.requireNonNull(claims, "claims");
    certificateNames = Set.copyOf(certificateNames);
  }

  /** An identity that did not come from a certificate. */
  public Identity(String subject, Scheme scheme, String issuer, Set<String> roles, Set<String> scopes,
      VerifiedClaims claims, Optional<Instant> expiresAt) {
    this(subject, scheme, issuer, roles, scopes, claims, expiresAt, Set.of());
  }
}
