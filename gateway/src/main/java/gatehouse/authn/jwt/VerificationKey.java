package gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import gatehouse.config.KeyFiles;
import gatehouse.crypto.SignatureEngine;
import java.math.BigInteger;
import java.util.Set;

/**
 * One key of a key set, compiled once when the set is loaded: its verifier is built here, not per
 * request. Immutable and shared by every thread.
 *
 * @param kid the JWK {@code kid}, or null
 * @param thumbprint RFC 7638 SHA-256 thumbprint: stable across refetches, names the key in the
 *     verified-token cache and in logs
 * @param declaredAlg the JWK's own {@code alg}, or null; when set, it is the only algorithm allowed
 */
record VerificationKey(
    String kid, KeyType type, Curve curve, JWSAlgorithm declaredAlg, String thumbprint, JWSVerifier verifier) {

  static final Set<JWSAlgorithm> RSA_ALGS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
  static final Set<JWSAlgorithm> HMAC_ALGS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  static final Set<JWSAlgorithm> EC_ALGS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  /** Whether this key may verify a token signed with {@code alg}: key type, curve and declared alg. */
  boolean fits(JWSAlgorithm alg) {
    if (declaredAlg != null && !declaredAlg.equals(alg)) return false;
    if (KeyType.RSA.equals(type)) return RSA_ALGS.contains(alg);
    if (KeyType.OCT.equals(type)) return HMAC_ALGS.contains(alg);
    if (KeyType.EC.equals(type)) {
      return (JWSAlgorithm.ES256.equals(alg) && Curve.P_256.equals(curve))
          || (JWSAlgorithm.ES384.equals(alg) && Curve.P_384.equals(curve))
          || (JWSAlgorithm.ES512.equals(alg) && Curve.P_521.equals(curve));
    }
    if (KeyType.OKP.equals(type)) return JWSAlgorithm.EdDSA.equals(alg) && Curve.Ed25519.equals(curve);
    return false;
  }

  /** A short name for logs: the kid, else the first 8 characters of the thumbprint. */
  String label() {
    return kid != null ? "'" + kid + "'" : "#" + thumbprint.substring(0, 8);
  }

  /**
   * Compiles {@code jwk} for verification, or explains why it cannot be used ({@link
   * KeyFiles#refusal} holds the rules). Private parts are dropped. Public-key signatures are checked
   * by {@code engine}; HMAC by the JDK.
   */
  static Compiled compile(JWK jwk, SignatureEngine engine) {
    java.util.Optional<String> refusal = KeyFiles.refusal(jwk, jwk instanceof OctetSequenceKey);
    if (refusal.isPresent()) return new Compiled.Refused(refusal.get());
    JWSAlgorithm declared = jwk.getAlgorithm() == null ? null : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
    try {
      String thumbprint = jwk.computeThumbprint().toString();
      if (jwk instanceof RSAKey rsa) {
        return ok(jwk, null, declared, thumbprint, using(engine, new RSASSAVerifier(engine.publicKey(rsa.toRSAPublicKey()))));
      }
      if (jwk instanceof ECKey ec) {
        Curve curve = ec.getCurve();
        int size;
        if (Curve.P_256.equals(curve)) size = 32;
        else if (Curve.P_384.equals(curve)) size = 48;
        else size = 66;
        var publicKey = engine.publicKey(ec.toECPublicKey());
        return ok(jwk, curve, declared, thumbprint,
            new StrictEcdsa(using(engine, new ECDSAVerifier(publicKey)), size, publicKey.getParams().getOrder()));
      }
      if (jwk instanceof OctetKeyPair okp) {
        return ok(jwk, Curve.Ed25519, declared, thumbprint, new EdDsaVerifier(okp.getDecodedX(), engine));
      }
      if (jwk instanceof OctetSequenceKey oct) {
        return ok(jwk, null, declared, thumbprint, new MACVerifier(oct.toByteArray()));
      }
      throw new AssertionError("KeyFiles.refusal let through key type " + jwk.getKeyType());
    } catch (JOSEException | java.security.InvalidKeyException | RuntimeException e) {
      return new Compiled.Refused("unusable key: " + e.getMessage());
    }
  }

  /** {@code verifier}, set to run on {@code engine}'s provider when it is native. */
  private static <V extends JWSVerifier> V using(SignatureEngine engine, V verifier) {
    engine.provider().ifPresent(verifier.getJCAContext()::setProvider);
    return verifier;
  }

  private static Compiled ok(JWK jwk, Curve curve, JWSAlgorithm declared, String thumbprint, JWSVerifier verifier) {
    return new Compiled.Ok(new VerificationKey(jwk.getKeyID(), jwk.getKeyType(), curve, declared, thumbprint, verifier));
  }

  /** The result of {@link #compile}. */
  sealed interface Compiled {
    record Ok(VerificationKey key) implements Compiled {}

    record Refused(String reason) implements Compiled {}
  }

  /** ECDSA with the CVE-2022-21449 check in front of the library and the JDK. */
  private record StrictEcdsa(ECDSAVerifier delegate, int coordinateBytes, BigInteger order) implements JWSVerifier {
    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      if (!EcdsaSignatures.isLegal(signature.decode(), coordinateBytes, order)) return false;
      return delegate.verify(header, signingInput, signature);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return delegate.supportedJWSAlgorithms();
    }

    @Override
    public com.nimbusds.jose.jca.JCAContext getJCAContext() {
      return delegate.getJCAContext();
    }
  }
}
