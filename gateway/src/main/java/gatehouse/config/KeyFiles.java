package gatehouse.config;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Key files and the rules for keys, in one place. The reader parses {@code jwks_file}, {@code
 * public_key_pem} and a signing key's {@code private_key} with them, so a bad file is reported at
 * its key's line; the JWT key source applies {@link #refusal} to each key set it fetches, and
 * upstream signing reads its keys with {@link #privateKey}. Reads files synchronously: never call
 * it on an event loop.
 */
public final class KeyFiles {
  /** RFC 7518 section 3.3. */
  public static final int MIN_RSA_BITS = 2048;
  /** RFC 7518 section 3.2: at least the output of SHA-256. */
  public static final int MIN_HMAC_BYTES = 32;
  private static final Set<String> SIGNATURE_ALGS = Set.copyOf(JwtProviderReader.ALGORITHMS);

  private KeyFiles() {}

  /**
   * The public keys of a JWK set file: private parts are dropped and symmetric keys left out, so
   * the config (whose records may be printed) never holds a secret.
   *
   * @throws IllegalArgumentException saying why the file is not a JWK set
   */
  static List<JWK> jwks(Path file) {
    try {
      List<JWK> out = new ArrayList<>();
      for (JWK k : JWKSet.parse(read(file)).getKeys()) {
        JWK pub = k.toPublicJWK();
        if (pub != null) out.add(pub);
      }
      return List.copyOf(out);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
    }
  }

  /**
   * One public key from a PEM file: {@code PUBLIC KEY} (SubjectPublicKeyInfo: RSA, EC or Ed25519)
   * or a {@code CERTIFICATE}, whose public key is used (its validity and chain are not checked: the
   * certificate is only a key container here).
   *
   * @throws IllegalArgumentException saying why the file holds no such key
   */
  static JWK publicKey(Path file) {
    String pem = read(file);
    PublicKey publicKey;
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
      try {
        publicKey = CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .getPublicKey();
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("not a valid certificate: " + e.getMessage(), e);
      }
    } else if (pem.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException("holds a private key; give the public key (openssl pkey -pubout)");
    } else if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
      throw new IllegalArgumentException("PKCS#1 'RSA PUBLIC KEY' is not supported; convert it with"
          + " openssl rsa -RSAPublicKey_in -pubout");
    } else {
      int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
      int end = pem.indexOf("-----END PUBLIC KEY-----");
      if (begin < 0 || end < begin) throw new IllegalArgumentException("no '-----BEGIN PUBLIC KEY-----' block");
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM body is not base64", e);
      }
      publicKey = null;
      for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
        try {
          publicKey = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
          break;
        } catch (GeneralSecurityException e) {
          // not this algorithm; try the next
        }
      }
      if (publicKey == null) throw new IllegalArgumentException("not an RSA, EC or Ed25519 public key");
    }
    if (publicKey instanceof RSAPublicKey rsa) return new RSAKey.Builder(rsa).build();
    if (publicKey instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) throw new IllegalArgumentException("EC key on an unsupported curve");
      return new ECKey.Builder(curve, ec).build();
    }
    if ("Ed25519".equals(publicKey.getAlgorithm()) || "EdDSA".equals(publicKey.getAlgorithm())) {
      byte[] spki = publicKey.getEncoded();
      if (spki.length != 44) throw new IllegalArgumentException("EdDSA key is not Ed25519 (Ed448 is not supported)");
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build();
    }
    throw new IllegalArgumentException("unsupported key algorithm " + publicKey.getAlgorithm());
  }

  /**
   * Why {@code jwk} cannot verify tokens of a provider that holds HMAC secrets ({@code symmetric})
   * or public keys, or empty when it can: encryption keys, undeclared algorithms, RSA below 2048
   * bits, curves other than P-256/384/521 and Ed25519, and HMAC secrets below 32 bytes are refused,
   * and one provider never mixes secrets and public keys (RFC 8725 section 2.1, key confusion).
   */
  public static Optional<String> refusal(JWK jwk, boolean symmetric) {
    boolean isSymmetric = jwk.getKeyType() != null && "oct".equals(jwk.getKeyType().getValue());
    if (isSymmetric != symmetric) {
      return Optional.of(symmetric ? "an asymmetric key in an HMAC provider" : "a symmetric key in a public-key provider");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return Optional.of("use is '" + jwk.getKeyUse().identifier() + "', not 'sig'");
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return Optional.of("key_ops does not include 'verify'");
    }
    if (jwk.getAlgorithm() != null && !SIGNATURE_ALGS.contains(jwk.getAlgorithm().getName())) {
      return Optional.of("alg '" + jwk.getAlgorithm().getName() + "' is not a supported signature algorithm");
    }
    if (jwk instanceof RSAKey rsa) {
      return rsa.size() < MIN_RSA_BITS ? Optional.of("RSA key of " + rsa.size() + " bits; at least 2048 required") : Optional.empty();
    }
    if (jwk instanceof ECKey ec) {
      return List.of(Curve.P_256, Curve.P_384, Curve.P_521).contains(ec.getCurve())
          ? Optional.empty() : Optional.of("EC curve " + ec.getCurve() + " is not supported");
    }
    if (jwk instanceof OctetKeyPair okp) {
      return Curve.Ed25519.equals(okp.getCurve()) ? Optional.empty() : Optional.of("OKP curve " + okp.getCurve() + " is not supported");
    }
    if (jwk instanceof OctetSequenceKey oct) {
      int bytes = oct.toByteArray().length;
      return bytes < MIN_HMAC_BYTES ? Optional.of("HMAC secret of " + bytes + " bytes; at least 32 required") : Optional.empty();
    }
    return Optional.of("key type " + jwk.getKeyType() + " is not supported");
  }

  /** The name of {@code jwk} in messages: its kid, or that it has none. */
  public static String label(JWK jwk) {
    return jwk.getKeyID() != null ? "key '" + jwk.getKeyID() + "'" : "a key without kid";
  }

  /**
   * {@code keys} when at least one is usable by a provider of that kind.
   *
   * @throws IllegalArgumentException naming every refused key
   */
  static List<JWK> usable(List<JWK> keys, boolean symmetric) {
    List<String> refused = new ArrayList<>();
    boolean any = false;
    for (JWK k : keys) {
      Optional<String> why = refusal(k, symmetric);
      if (why.isEmpty()) any = true;
      else refused.add(label(k) + ": " + why.get());
    }
    if (!any) throw new IllegalArgumentException("no usable verification key" + (refused.isEmpty() ? "" : " " + refused));
    return keys;
  }

  /**
   * The private key of a PKCS#8 PEM file ({@code private_key} of a {@code sign} key): Ed25519 when
   * {@code kind} is {@code Ed25519}, EC P-256 when it is {@code ES256}.
   *
   * @throws IllegalArgumentException saying why the file holds no such key
   */
  public static PrivateKey privateKey(Path file, String kind) {
    String pem = read(file);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) throw new IllegalArgumentException(file + " holds no PKCS#8 '-----BEGIN PRIVATE KEY-----' block");
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not valid PEM", e);
    }
    boolean ed25519 = kind.equals("Ed25519");
    try {
      PrivateKey key = KeyFactory.getInstance(ed25519 ? "Ed25519" : "EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      if (ed25519 || key instanceof ECPrivateKey ec && P256.equals(ec.getParams().getOrder())
          && ec.getParams().getCurve().getField().getFieldSize() == 256) {
        return key;
      }
    } catch (GeneralSecurityException e) {
      // not a key of this kind: said below
    }
    throw new IllegalArgumentException(file + " is not an " + (ed25519 ? "Ed25519" : "EC P-256") + " private key");
  }

  private static final java.math.BigInteger P256 =
      new java.math.BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  /**
   * Checks that {@code keyPem} (PKCS#8, PKCS#1 or SEC1) is the private key of the leaf of {@code
   * certPem}: the listener's {@code cert} and {@code key}, at load and whenever the files rotate.
   *
   * @throws IllegalArgumentException saying why the pair cannot serve TLS
   */
  public static void checkCertificateKey(byte[] certPem, byte[] keyPem) {
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertValue(Buffer.buffer(certPem)).setKeyValue(Buffer.buffer(keyPem));
    X509KeyManager km = null;
    try {
      // Values only, no paths: the factory needs no Vert.x instance to read them.
      for (KeyManager m : keyCert.getKeyManagerFactory(null).getKeyManagers()) if (m instanceof X509KeyManager x) km = x;
    } catch (Exception e) {
      throw new IllegalArgumentException("the certificate or key cannot be read: " + e.getMessage(), e);
    }
    if (km == null) throw new IllegalArgumentException("no key manager");
    String alias = serverAlias(km).orElseThrow(() -> new IllegalArgumentException("no certificate with a private key"));
    PrivateKey key = km.getPrivateKey(alias);
    X509Certificate leaf = km.getCertificateChain(alias)[0];
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    };
    try {
      byte[] probe = "gatehouse listener key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(leaf.getPublicKey());
      v.update(probe);
      if (v.verify(sig)) return;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the key does not sign with the certificate's algorithm: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("the key does not belong to the certificate");
  }

  /** The alias of the first certificate with a private key that {@code km} can serve. */
  public static Optional<String> serverAlias(X509KeyManager km) {
    for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519")) {
      String[] aliases = km.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) return Optional.of(aliases[0]);
    }
    return Optional.empty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }
}
