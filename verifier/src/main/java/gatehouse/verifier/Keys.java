package gatehouse.verifier;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.Curve;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Key material: PEM public keys and the gateway's JWK set, turned into JDK keys. */
final class Keys {
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4), followed by the 32-byte key. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private Keys() {}

  /** A {@code -----BEGIN PUBLIC KEY-----} PEM (SubjectPublicKeyInfo) of an Ed25519 or EC key. */
  static PublicKey publicKeyPem(String pem) {
    String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    for (String alg : new String[] {"Ed25519", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an Ed25519 or EC public key");
  }

  /** The Ed25519 and P-256 keys of a JWK set, by {@code kid}; other keys are ignored. */
  static Map<String, PublicKey> fromJwks(String json) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
    }
    Map<String, PublicKey> out = new LinkedHashMap<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyID() == null) continue;
      try {
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
          out.put(jwk.getKeyID(), ed25519(okp.getX().decode()));
        } else if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
          out.put(jwk.getKeyID(), ec.toECPublicKey());
        }
      } catch (com.nimbusds.jose.JOSEException e) {
        throw new IllegalArgumentException("key '" + jwk.getKeyID() + "': " + e.getMessage(), e);
      }
    }
    return out;
  }

  static PublicKey ed25519(byte[] x) {
    if (x.length != 32) throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, got " + x.length);
    byte[] der = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, der, ED25519_SPKI_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    }
  }

  static boolean isEd25519(PublicKey key) {
    return key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA");
  }
}
