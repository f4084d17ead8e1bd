package gatehouse.verifier;

import java.util.Map;
import java.util.Optional;

/** What {@link GatehouseVerifier#verify} decided about one request. */
public sealed interface Verification {

  /**
   * The request came through the gateway and its identity headers are the gateway's.
   *
   * @param keyId the key that verified it
   * @param identity the identity headers the gateway set (lower-case name to value as sent:
   *     visible ASCII, to be read with {@link GatehouseVerifier#decodeIdentityValue}); a header the
   *     gateway did not set is absent here
   * @param subject the identity token's {@code sub}, in identity-token mode
   */
  record Verified(String keyId, Map<String, String> identity, Optional<String> subject) implements Verification {
    public Verified {
      identity = Map.copyOf(identity);
    }
  }

  /** Refuse the request (a backend answers 401 or 403). {@code detail} never holds key material. */
  record Refused(Reason reason, String detail) implements Verification {}

  /** Why a request was refused. */
  enum Reason {
    /** No signature (or no identity token) from the gateway. */
    MISSING,
    /** The signature fields or the token cannot be parsed, or use parameters this verifier refuses. */
    MALFORMED,
    /** The signature does not cover a component the verifier requires. */
    NOT_COVERED,
    /** The key id names no key the verifier holds (or a key of another algorithm). */
    UNKNOWN_KEY,
    /** The signature does not match: the request or an identity header was changed, or the key is wrong. */
    BAD_SIGNATURE,
    /** Created longer ago than the window allows (or the token expired). */
    TOO_OLD,
    /** Created later than now plus the allowed clock skew. */
    FROM_THE_FUTURE,
    /** The nonce (or {@code jti}) was already seen within the window. */
    REPLAYED,
    /** The identity token is for another upstream or another issuer. */
    WRONG_AUDIENCE,
    /** The identity token names another method or path than the request's. */
    REQUEST_MISMATCH,
    /** An identity header differs from what the identity token says the gateway set. */
    IDENTITY_MISMATCH,
    /**
     * The body is not the one the gateway signed: its SHA-256 differs from the signed {@code
     * Content-Digest}, or the request was given without its body so the digest cannot be checked.
     */
    DIGEST_MISMATCH
  }

  /** Whether the request was verified. */
  default boolean verified() {
    return this instanceof Verified;
  }
}
