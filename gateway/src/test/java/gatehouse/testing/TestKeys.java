package gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signing keys for tests, generated once per JVM (RSA generation is slow) and shared read-only.
 * Index 0 is "the" key of a kind, index 1 "another key of the same kind" for wrong-key tests.
 * This static cache lives in the test kit only; main code keeps no static mutable state.
 */
public final class TestKeys {
  /** The kinds of key a test can ask for. */
  public enum Kind { RSA, EC_P256, EC_P384, EC_P521, ED25519, HMAC }

  private static final Map<String, TestKey> KEYS = new ConcurrentHashMap<>();

  private TestKeys() {}

  public static TestKey get(Kind kind, int index) {
    return KEYS.computeIfAbsent(kind + "#" + index, k -> generate(kind, kind.name().toLowerCase() + "-" + index));
  }

  public static TestKey rsa() { return get(Kind.RSA, 0); }
  public static TestKey otherRsa() { return get(Kind.RSA, 1); }
  public static TestKey ec256() { return get(Kind.EC_P256, 0); }
  public static TestKey ec384() { return get(Kind.EC_P384, 0); }
  public static TestKey ec521() { return get(Kind.EC_P521, 0); }
  public static TestKey ed25519() { return get(Kind.ED25519, 0); }
  public static TestKey hmac() { return get(Kind.HMAC, 0); }
  public static TestKey otherHmac() { return get(Kind.HMAC, 1); }

  /**
   * An HMAC key whose secret is this text, any length (no kid): for tokens a provider should refuse,
   * such as one "signed" with a public key's PEM in the key-confusion attack.
   */
  public static TestKey hmacWithSecret(String text) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new TestKey(Kind.HMAC, null, new OctetSequenceKey.Builder(bytes).build(), null, text, null);
  }

  /** The key kind that signs {@code alg}. */
  public static Kind kindFor(JWSAlgorithm alg) {
    String n = alg.getName();
    if (n.startsWith("RS") || n.startsWith("PS")) return Kind.RSA;
    if (n.equals("ES256")) return Kind.EC_P256;
    if (n.equals("ES384")) return Kind.EC_P384;
    if (n.equals("ES512")) return Kind.EC_P521;
    if (n.equals("EdDSA")) return Kind.ED25519;
    if (n.startsWith("HS")) return Kind.HMAC;
    throw new IllegalArgumentException("no test key for " + alg);
  }

  /** A JWKS document holding the public JWKs of {@code keys}. */
  public static String jwks(TestKey... keys) {
    return new JWKSet(Arrays.stream(keys).map(TestKey::publicJwk).toList()).toString(true);
  }

  private static TestKey generate(Kind kind, String kid) {
    try {
      switch (kind) {
        case RSA: {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048);
          KeyPair kp = g.generateKeyPair();
          return new TestKey(kind, kid, new RSAKey.Builder((RSAPublicKey) kp.getPublic()).keyID(kid).build(), kp.getPrivate(), null,
              pem(kp.getPublic().getEncoded()));
        }
        case EC_P256:
        case EC_P384:
        case EC_P521: {
          String curveName = kind == Kind.EC_P256 ? "secp256r1" : kind == Kind.EC_P384 ? "secp384r1" : "secp521r1";
          Curve curve = kind == Kind.EC_P256 ? Curve.P_256 : kind == Kind.EC_P384 ? Curve.P_384 : Curve.P_521;
          KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec(curveName));
          KeyPair kp = g.generateKeyPair();
          return new TestKey(kind, kid, new ECKey.Builder(curve, (ECPublicKey) kp.getPublic()).keyID(kid).build(), kp.getPrivate(), null,
              pem(kp.getPublic().getEncoded()));
        }
        case ED25519: {
          KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
          byte[] spki = kp.getPublic().getEncoded();
          byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
          return new TestKey(kind, kid, new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build(),
              kp.getPrivate(), null, pem(spki));
        }
        case HMAC: {
          byte[] secret = new byte[64];
          new SecureRandom().nextBytes(secret);
          // Printable, so it can also be configured as a `secret:` string.
          String text = Base64.getUrlEncoder().withoutPadding().encodeToString(secret).substring(0, 64);
          return new TestKey(kind, kid, new OctetSequenceKey.Builder(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).keyID(kid).build(),
              null, text, null);
        }
        default:
          throw new AssertionError(kind);
      }
    } catch (GeneralSecurityException e) {
      throw new AssertionError("cannot generate a " + kind + " key", e);
    }
  }

  private static String pem(byte[] spki) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(spki)
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** One signing key: its public JWK (with kid), and whatever signs with it. */
  public static final class TestKey {
    private final Kind kind;
    private final String kid;
    private final JWK publicJwk;
    private final PrivateKey privateKey;
    private final String secret;
    private final String publicPem;

    TestKey(Kind kind, String kid, JWK publicJwk, PrivateKey privateKey, String secret, String publicPem) {
      this.kind = kind;
      this.kid = kid;
      this.publicJwk = publicJwk;
      this.privateKey = privateKey;
      this.secret = secret;
      this.publicPem = publicPem;
    }

    public Kind kind() { return kind; }
    public String kid() { return kid; }

    /** The JWK a key set publishes (for HMAC, the secret itself). */
    public JWK publicJwk() { return publicJwk; }

    /** The same key material under another kid. */
    public TestKey withKid(String newKid) {
      JWK jwk;
      try {
        jwk = JWK.parse(withKidJson(newKid));
      } catch (java.text.ParseException e) {
        throw new AssertionError(e);
      }
      return new TestKey(kind, newKid, jwk, privateKey, secret, publicPem);
    }

    private String withKidJson(String newKid) {
      Map<String, Object> json = new java.util.LinkedHashMap<>(publicJwk.toJSONObject());
      if (newKid == null) json.remove("kid");
      else json.put("kid", newKid);
      return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(json);
    }

    /** The HMAC secret as configured text; null for other kinds. */
    public String secret() { return secret; }

    /** SubjectPublicKeyInfo PEM; null for HMAC. */
    public String publicPem() { return publicPem; }

    /** The default algorithm for this key. */
    public JWSAlgorithm defaultAlg() {
      switch (kind) {
        case RSA: return JWSAlgorithm.RS256;
        case EC_P256: return JWSAlgorithm.ES256;
        case EC_P384: return JWSAlgorithm.ES384;
        case EC_P521: return JWSAlgorithm.ES512;
        case ED25519: return JWSAlgorithm.EdDSA;
        case HMAC: return JWSAlgorithm.HS256;
        default: throw new AssertionError(kind);
      }
    }

    /** A JWS signature (as it appears in the token, before base64url) over {@code input}. */
    public byte[] sign(JWSAlgorithm alg, byte[] input) {
      try {
        JWSHeader header = new JWSHeader(alg);
        switch (kind) {
          case RSA: return new RSASSASigner(privateKey).sign(header, input).decode();
          case EC_P256:
          case EC_P384:
          case EC_P521: return new ECDSASigner((ECPrivateKey) privateKey).sign(header, input).decode();
          case HMAC: return new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)).sign(header, input).decode();
          case ED25519: {
            // The JDK's EdDSA: Nimbus' Ed25519Signer needs Tink, which we do not ship.
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(input);
            return s.sign();
          }
          default: throw new AssertionError(kind);
        }
      } catch (JOSEException | GeneralSecurityException e) {
        throw new AssertionError("cannot sign with " + alg + " and a " + kind + " key", e);
      }
    }

    @Override
    public String toString() {
      return kind + "(" + kid + ")";
    }
  }

  /** Every algorithm the gateway supports, in a stable order (for matrix tests). */
  public static List<JWSAlgorithm> allAlgorithms() {
    return List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
        JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
        JWSAlgorithm.EdDSA, JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  }
}
