/**
 * The deny-list: tokens refused although they verify (by {@code jti}, by SHA-256, or by subject
 * before a cut-off), checked in memory after an authenticator's answer, shared through Redis.
 * Reads an {@link gatehouse.authn.Authentication}; returns it, or {@code Rejected("token_revoked")}.
 */
package gatehouse.revoke;
