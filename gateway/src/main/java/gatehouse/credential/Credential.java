package gatehouse.credential;

import gatehouse.secret.Secret;

/** A credential as presented, not yet verified. Its {@code toString} never shows the secret. */
public sealed interface Credential {

  /** The text of this credential as presented; its {@link Secret#fingerprint()} tags log lines. */
  Secret secret();

  /** {@code Authorization: Bearer <token>} (RFC 6750 section 2.1). */
  record BearerToken(Secret secret) implements Credential {}

  /** An API key from the configured header or query parameter. */
  record ApiKey(Secret secret, Location location) implements Credential {}

  /**
   * The client certificate of the TLS connection, already verified by the listener against
   * {@code listen.tls.client_ca} (chain and validity period). Not a secret: its holder proved
   * possession of the private key during the handshake.
   */
  record ClientCertificate(java.security.cert.X509Certificate certificate) implements Credential {
    /** The certificate's DER in base64: public, but its fingerprint tags log lines like a token's. */
    @Override
    public Secret secret() {
      try {
        return new Secret(java.util.Base64.getEncoder().encodeToString(certificate.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new AssertionError("a certificate parsed from a TLS handshake re-encodes", e);
      }
    }
  }

  /** Where an API key was found; a key in the query string is removed before forwarding. */
  enum Location { HEADER, QUERY }
}
