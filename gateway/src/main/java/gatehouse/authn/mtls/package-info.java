/**
 * Stage 3 for TLS client certificates: the identity of a certificate the handshake verified.
 * Reads a {@link gatehouse.credential.Credential.ClientCertificate}.
 * Returns an {@link gatehouse.authn.Authentication} whose identity maps to headers like a JWT's.
 */
package gatehouse.authn.mtls;
