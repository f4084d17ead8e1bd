package gatehouse.authn.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import gatehouse.config.KeySourceConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads the local key sources into a JWK set. Runs at load, where config files are read; it reads
 * files synchronously and so must not run on an event loop. Every problem is an {@link
 * IllegalArgumentException} whose message starts with the config key, e.g. {@code
 * auth.jwt[main].public_key_pem: ...}.
 */
final class LocalKeys {
  private LocalKeys() {}

  static JWKSet load(String provider, KeySourceConfig source) {
    if (source instanceof KeySourceConfig.JwksFile f) {
      String key = "auth.jwt[" + provider + "].jwks_file";
      return parseJwks(key, read(key, f.path()));
    }
    if (source instanceof KeySourceConfig.InMemory m) {
      return parseJwks("auth.jwt[" + provider + "] (in-memory JWKS)", m.jwkSetJson());
    }
    if (source instanceof KeySourceConfig.PublicKeyPem p) {
      String key = "auth.jwt[" + provider + "].public_key_pem";
      return new JWKSet(fromPem(key, read(key, p.path())));
    }
    if (source instanceof KeySourceConfig.HmacSecret s) {
      byte[] secret = s.secret().reveal().getBytes(StandardCharsets.UTF_8);
      if (secret.length < VerificationKey.MIN_HMAC_BYTES) {
        throw new IllegalArgumentException("auth.jwt[" + provider + "].secret: HMAC secret must be at least 32 bytes"
            + " (RFC 7518 section 3.2), got " + secret.length);
      }
      return new JWKSet(new OctetSequenceKey.Builder(secret).build());
    }
    throw new AssertionError("not a local key source: " + source.getClass().getSimpleName());
  }

  private static String read(String key, Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + path + ": " + e, e);
    }
  }

  private static JWKSet parseJwks(String key, String json) {
    try {
      return JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException(key + ": not a JWK set: " + e.getMessage(), e);
    }
  }

  /**
   * One public key from PEM: {@code PUBLIC KEY} (SubjectPublicKeyInfo: RSA, EC or Ed25519) or a
   * {@code CERTIFICATE}, whose public key is used (its validity and chain are not checked: the
   * certificate is only a key container here).
   */
  static JWK fromPem(String key, String pem) {
    PublicKey publicKey;
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
      try {
        publicKey = CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .getPublicKey();
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(key + ": not a valid certificate: " + e.getMessage(), e);
      }
    } else if (pem.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException(key + ": holds a private key; give the public key (openssl pkey -pubout)");
    } else if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
      throw new IllegalArgumentException(key + ": PKCS#1 'RSA PUBLIC KEY' is not supported; convert it with"
          + " openssl rsa -RSAPublicKey_in -pubout");
    } else {
      int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
      int end = pem.indexOf("-----END PUBLIC KEY-----");
      if (begin < 0 || end < begin) throw new IllegalArgumentException(key + ": no '-----BEGIN PUBLIC KEY-----' block");
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": PEM body is not base64", e);
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
      if (publicKey == null) throw new IllegalArgumentException(key + ": not an RSA, EC or Ed25519 public key");
    }
    if (publicKey instanceof RSAPublicKey rsa) return new RSAKey.Builder(rsa).build();
    if (publicKey instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) throw new IllegalArgumentException(key + ": EC key on an unsupported curve");
      return new ECKey.Builder(curve, ec).build();
    }
    if ("Ed25519".equals(publicKey.getAlgorithm()) || "EdDSA".equals(publicKey.getAlgorithm())) {
      byte[] spki = publicKey.getEncoded();
      if (spki.length != 44) throw new IllegalArgumentException(key + ": EdDSA key is not Ed25519 (Ed448 is not supported)");
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build();
    }
    throw new IllegalArgumentException(key + ": unsupported key algorithm " + publicKey.getAlgorithm());
  }
}
