package gatehouse.authn.jwt;

import gatehouse.authn.AuthFailure;

/**
 * The {@code AuthFailure} codes this package produces. They reach clients as RFC 6750 {@code
 * error_description}, so they are stable: rename one only with a changelog entry.
 */
final class FailureCodes {
  static final String UNSUPPORTED_CREDENTIAL = AuthFailure.UNSUPPORTED_CREDENTIAL;
  /** Longer than {@code max_token_bytes}; refused before any parsing. */
  static final String TOKEN_TOO_LARGE = "token_too_large";
  /**
   * Wrong segment count, bad base64url, not UTF-8, not a JSON object, duplicate keys, wrong claim
   * type, a date that is not a NumericDate from 0 to the year 9999.
   */
  static final String MALFORMED = "malformed";
  /** A JWE (five segments): this gateway verifies signed tokens only. */
  static final String UNSUPPORTED_TOKEN_TYPE = "unsupported_token_type";
  /** {@code none}, an algorithm outside the provider's allow-list, or HMAC on a public-key provider. */
  static final String UNSUPPORTED_ALGORITHM = "unsupported_algorithm";
  /** {@code crit} names an extension this verifier does not understand (RFC 7515 section 4.1.11). */
  static final String UNSUPPORTED_CRITICAL_HEADER = "unsupported_critical_header";
  /** {@code typ} differs from the provider's configured type (e.g. {@code at+jwt}, RFC 9068). */
  static final String WRONG_TYPE = "wrong_type";
  /** No key with the token's {@code kid}, or no key of the type its {@code alg} needs. */
  static final String UNKNOWN_KEY = "unknown_key";
  /** The {@code kid} names a key whose type or declared {@code alg} does not fit the token's {@code alg}. */
  static final String KEY_MISMATCH = "key_mismatch";
  static final String BAD_SIGNATURE = "bad_signature";
  static final String UNKNOWN_ISSUER = "unknown_issuer";
  static final String EXPIRED = "expired";
  static final String NOT_YET_VALID = "not_yet_valid";
  static final String WRONG_AUDIENCE = "wrong_audience";
  static final String MISSING_CLAIM = "missing_claim";
  /** {@code allowed_clients} is set and the token's {@code azp} (else {@code client_id}) is not in it. */
  static final String CLIENT_NOT_ALLOWED = "client_not_allowed";
  /** {@code allowed_clients} is set and the token has neither {@code azp} nor {@code client_id}. */
  static final String MISSING_CLIENT = "missing_client";
  /** {@code allowed_clients} is set and {@code azp} and {@code client_id} name different clients. */
  static final String AMBIGUOUS_CLIENT = "ambiguous_client";
  /** {@code exp - iat} (or {@code exp - now} without {@code iat}) exceeds {@code max_token_lifetime}. */
  static final String LIFETIME_TOO_LONG = "lifetime_too_long";

  private FailureCodes() {}
}
