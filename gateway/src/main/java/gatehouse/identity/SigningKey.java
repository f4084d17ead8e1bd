package gatehouse.identity;

import gatehouse.config.KeyFiles;
import gatehouse.crypto.SignatureEngine;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gateway private key read from a PKCS#8 PEM file ({@code openssl genpkey -algorithm ed25519} or
 * {@code -algorithm EC -pkeyopt ec_paramgen_curve:P-256}), with its public half, which PKCS#8 files
 * need not carry and the JDK cannot extract, so it is derived here and checked by a test signature.
 * Signs with a {@link SignatureEngine}; the load-time check verifies with the JDK, so a native
 * engine is checked against it too.
 */
final class SigningKey {
  final String id;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  /** {@code Ed25519} or {@code ES256}. */
  final String kind;
  private final Map<String, Object> jwk;
  private final SignatureEngine engine;

  private SigningKey(String id, PrivateKey privateKey, PublicKey publicKey, String kind, Map<String, Object> jwk,
      SignatureEngine engine) {
    this.engine = engine;
    this.id = id;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kind = kind;
    this.jwk = jwk;
  }

  /**
   * Reads {@code file}; {@code kind} is {@code Ed25519} or {@code ES256}; {@code engine} will sign.
   *
   * @throws IllegalArgumentException naming {@code configPath} when the file is not such a key (the
   *     config reader has refused such files already, with {@link KeyFiles#privateKey})
   */
  static SigningKey read(String id, Path file, String kind, String configPath, SignatureEngine engine) {
    PrivateKey priv;
    try {
      priv = KeyFiles.privateKey(file, kind);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(configPath + ": " + e.getMessage(), e);
    }
    try {
      SigningKey key = kind.equals("Ed25519") ? ed25519(id, priv, engine) : es256(id, (ECPrivateKey) priv, engine);
      key.selfTest();
      return key;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(configPath + ": " + file + ": the key does not sign: " + e.getMessage(), e);
    }
  }

  /** The public JWK (RFC 7517; RFC 8037 for Ed25519), with {@code kid}, {@code alg} and {@code use}. */
  Map<String, Object> publicJwk() {
    return jwk;
  }

  private static SigningKey ed25519(String id, PrivateKey priv, SignatureEngine engine) throws GeneralSecurityException {
    byte[] seed = ((EdECPrivateKey) priv).getBytes().orElseThrow(() -> new GeneralSecurityException("no key bytes"));
    // RFC 8032 section 5.1.5: the key pair is a function of the 32-byte seed; the JDK's generator
    // draws exactly that seed from its random source, so a source that returns the seed derives it.
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    g.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
    KeyPair pair = g.generateKeyPair();
    byte[] spki = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "OKP");
    jwk.put("crv", "Ed25519");
    jwk.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(x));
    jwk.put("kid", id);
    jwk.put("use", "sig");
    jwk.put("alg", "EdDSA");
    return new SigningKey(id, priv, pair.getPublic(), "Ed25519", jwk, engine);
  }

  private static SigningKey es256(String id, ECPrivateKey priv, SignatureEngine engine) throws GeneralSecurityException {
    ECParameterSpec params = priv.getParams();
    ECPoint q = multiply(params, priv.getS());
    PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, params));
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "EC");
    jwk.put("crv", "P-256");
    jwk.put("x", b64(unsigned(q.getAffineX())));
    jwk.put("y", b64(unsigned(q.getAffineY())));
    jwk.put("kid", id);
    jwk.put("use", "sig");
    jwk.put("alg", "ES256");
    return new SigningKey(id, priv, pub, "ES256", jwk, engine);
  }

  /**
   * Signs {@code data}: Ed25519 (RFC 8032), or ES256 as the fixed-size {@code r || s} of RFC 7518
   * section 3.4.
   */
  byte[] sign(byte[] data) {
    try {
      return signOrThrow(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with a key that passed its load-time check failed", e);
    }
  }

  private byte[] signOrThrow(byte[] data) throws GeneralSecurityException {
    Signature s = engine.signature(jcaAlgorithm());
    s.initSign(privateKey);
    s.update(data);
    return s.sign();
  }

  private String jcaAlgorithm() {
    return kind.equals("Ed25519") ? "Ed25519" : "SHA256withECDSAinP1363Format";
  }

  /**
   * A signature made by the engine and checked by the JDK once at load: a key whose derived public
   * half is wrong, or an engine that disagrees with the JDK, fails here.
   */
  private void selfTest() throws GeneralSecurityException {
    byte[] probe = "gatehouse key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] sig = signOrThrow(probe);
    Signature v = Signature.getInstance(jcaAlgorithm());
    v.initVerify(publicKey);
    v.update(probe);
    if (!v.verify(sig)) throw new GeneralSecurityException("the derived public key does not verify");
  }

  /** {@code k·G} on a short Weierstrass curve over a prime field, affine double-and-add; run once per key. */
  private static ECPoint multiply(ECParameterSpec spec, BigInteger k) {
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    BigInteger a = spec.getCurve().getA();
    ECPoint result = ECPoint.POINT_INFINITY;
    ECPoint addend = spec.getGenerator();
    for (int i = 0; i < k.bitLength(); i++) {
      if (k.testBit(i)) result = add(result, addend, p, a);
      addend = add(addend, addend, p, a);
    }
    return result;
  }

  private static ECPoint add(ECPoint r, ECPoint s, BigInteger p, BigInteger a) {
    if (r.equals(ECPoint.POINT_INFINITY)) return s;
    if (s.equals(ECPoint.POINT_INFINITY)) return r;
    BigInteger lambda;
    if (r.getAffineX().equals(s.getAffineX())) {
      if (!r.getAffineY().equals(s.getAffineY()) || r.getAffineY().signum() == 0) return ECPoint.POINT_INFINITY;
      BigInteger x = r.getAffineX();
      lambda = x.pow(2).multiply(BigInteger.valueOf(3)).add(a).multiply(r.getAffineY().shiftLeft(1).modInverse(p)).mod(p);
    } else {
      lambda = s.getAffineY().subtract(r.getAffineY()).multiply(s.getAffineX().subtract(r.getAffineX()).modInverse(p)).mod(p);
    }
    BigInteger x3 = lambda.pow(2).subtract(r.getAffineX()).subtract(s.getAffineX()).mod(p);
    BigInteger y3 = lambda.multiply(r.getAffineX().subtract(x3)).subtract(r.getAffineY()).mod(p);
    return new ECPoint(x3, y3);
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A random source that returns one fixed seed: used only to derive a public key, never to make one. */
  private static final class FixedSeed extends SecureRandom {
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) throw new IllegalStateException("expected a request for " + seed.length + " bytes");
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
