package gatehouse.credential;

import java.util.Optional;

/**
 * What {@link CredentialExtractor#extract} found on a request. When the request may go on, the
 * value also carries {@code forwardedQuery}: the request's query as the upstream gets it, without
 * the parameters the gateway owns ({@link CredentialExtractor#extract} says which).
 */
public sealed interface Extraction {

  /** Nothing the policy accepts was presented. */
  record None(Optional<String> forwardedQuery) implements Extraction {}

  /** Exactly one credential was presented. */
  record Found(Credential credential, Optional<String> forwardedQuery) implements Extraction {}

  /**
   * More than one credential, or one that cannot be read one way only (RFC 6750 section 2: a
   * client must not use more than one method). Refused with 400 and {@code code}.
   */
  record Ambiguous(String code, String reason) implements Extraction {}
}
