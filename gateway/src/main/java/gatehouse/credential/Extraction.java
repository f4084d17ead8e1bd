package gatehouse.credential;

/** What {@link CredentialExtractor#extract} found on a request. */
public sealed interface Extraction {

  /** Nothing the policy accepts was presented. */
  record None() implements Extraction {}

  /** Exactly one credential was presented. */
  record Found(Credential credential) implements Extraction {}

  /**
   * More than one credential, or one that cannot be read one way only (RFC 6750 section 2: a
   * client must not use more than one method). Refused with 400 and {@code code}.
   */
  record Ambiguous(String code, String reason) implements Extraction {}
}
