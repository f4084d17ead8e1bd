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

  private FailureCodes() {}
}
