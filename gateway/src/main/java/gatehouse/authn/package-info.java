/**
 * Stage 3, authentication: verifies one credential; one sub-package per kind of credential.
 * Reads a {@link gatehouse.credential.Credential}.
 * Returns an {@link gatehouse.authn.Authentication}: Authenticated, Rejected or Unverifiable.
 */
package gatehouse.authn;
