package gatehouse.credential;

/** A credential as presented, not yet verified. Its {@code toString} never shows the secret. */
public sealed interface Credential {

  /** The secret text of this credential. */
  Secret secret();

  /** {@code Authorization: Bearer <token>} (RFC 6750 section 2.1). */
  record BearerToken(Secret secret) implements Credential {}

  /** An API key from the configured header or query parameter. */
  record ApiKey(Secret secret, Location location) implements Credential {}

  /** Where an API key was found; a key in the query string is removed before forwarding. */
  enum Location { HEADER, QUERY }
}
