package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;

/**
 * The {@code AuthFailure} codes this package produces. They reach clients as RFC 6750 {@code
 * error_description}, so they are stable.
 */
final class FailureCodes {
  static final String UNSUPPORTED_CREDENTIAL = AuthFailure.UNSUPPORTED_CREDENTIAL;
  /** The authorization server answered {@code "active": false}. */
  static final String INACTIVE = "inactive";
  /** Active, but its {@code exp} is not in the future by the gateway's clock. */
  static final String EXPIRED = "expired";
  /** Active, but {@code token_type} says it is a refresh token. */
  static final String WRONG_TOKEN_TYPE = "wrong_token_type";
  /** Active, but {@code iss} is not the provider's configured issuer. */
  static final String WRONG_ISSUER = "wrong_issuer";
  /** Active, but {@code aud} names none of the provider's audiences. */
  static final String WRONG_AUDIENCE = "wrong_audience";
  /** Active, but its {@code nbf} or {@code iat} is after now plus {@code clock_skew}. */
  static final String NOT_YET_VALID = "not_yet_valid";
  /** Active, but {@code allowed_clients} is set and the answer's {@code azp} (else {@code client_id}) is not in it. */
  static final String CLIENT_NOT_ALLOWED = "client_not_allowed";
  /** Active, but {@code allowed_clients} is set and the answer has neither {@code azp} nor {@code client_id}. */
  static final String MISSING_CLIENT = "missing_client";
  /** Active, but {@code allowed_clients} is set and {@code azp} and {@code client_id} name different clients. */
  static final String AMBIGUOUS_CLIENT = "ambiguous_client";
  /** Active, but {@code max_token_lifetime} is set and the lifetime exceeds it, or there is no {@code exp}. */
  static final String LIFETIME_TOO_LONG = "lifetime_too_long";

  private FailureCodes() {}
}
