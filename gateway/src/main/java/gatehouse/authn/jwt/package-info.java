/**
 * Stage 3 for bearer JWTs: {@link gatehouse.authn.jwt.JwtAuthenticator} verifies a {@code
 * Credential.BearerToken} against the provider its {@code iss} names and returns an {@code
 * Authentication}. Reads compiled provider config and key-set snapshots (local or fetched in the
 * background); everything but the authenticator and {@link gatehouse.authn.jwt.KeySetStatus} is
 * package-private.
 */
package gatehouse.authn.jwt;
