/**
 * Bearer tokens: decides, from the token's shape and unverified {@code iss}, whether a token is
 * verified locally as a JWT or introspected, and hands it to that one authenticator only.
 * Public: {@link gatehouse.authn.bearer.BearerAuthenticator}.
 */
package gatehouse.authn.bearer;
