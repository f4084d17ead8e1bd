package gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import gatehouse.crypto.SignatureEngine;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Ed25519 (RFC 8037) verification through the JCA ({@link SignatureEngine}: native or the JDK's own
 * EdDSA). Nimbus' {@code Ed25519Verifier} needs Google Tink, which is not on our classpath and
 * would be a second crypto library for one algorithm.
 */
final class EdDsaVerifier implements JWSVerifier {
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4), followed by the 32-byte key. */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private final PublicKey key;
  private final SignatureEngine engine;
  private final JCAContext jca = new JCAContext();

  /** @throws IllegalArgumentException if {@code x} is not a 32-byte Ed25519 public key */
  EdDsaVerifier(byte[] x, SignatureEngine engine) {
    this.engine = engine;
    if (x.length != 32) throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, got " + x.length);
    byte[] der = new byte[SPKI_PREFIX.length + 32];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
    System.arraycopy(x, 0, der, SPKI_PREFIX.length, 32);
    try {
      key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) return false;
    byte[] sig = signature.decode();
    if (sig.length != 64) return false;
    try {
      Signature verifier = engine.signature("Ed25519");
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.EdDSA);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
