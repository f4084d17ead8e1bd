package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificate authorities, made in-process with BouncyCastle (a test dependency only): EC
 * P-256 keys, PKCS#8 PEM files. A CA issues server and client certificates; {@link Issued#write}
 * puts {@code <name>.pem} (leaf then CA: a chain) and {@code <name>-key.pem} in a directory.
 *
 * <pre>{@code
 * TestPki.Ca ca = TestPki.ca("Test CA");
 * ca.server("localhost").write(dir, "server");   // SAN DNS localhost, IP 127.0.0.1
 * ca.client("orders-service", "spiffe://test/orders").write(dir, "client");
 * ca.writeCertificate(dir.resolve("ca.pem"));
 * }</pre>
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private TestPki() {}

  /** A self-signed CA valid from an hour ago for a day. */
  public static Ca ca(String name) {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, keys, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(1));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Ca(subject, keys, sign(b, keys.getPrivate()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An EC P-256 key pair. */
  public static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Ed25519 key pair. */
  public static KeyPair ed25519Keys() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code -----BEGIN PRIVATE KEY-----} (PKCS#8) of {@code key}. */
  public static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** {@code -----BEGIN PUBLIC KEY-----} (SubjectPublicKeyInfo) of {@code key}. */
  public static String publicKeyPem(java.security.PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  public static String certificatePem(X509Certificate cert) {
    try {
      return pem("CERTIFICATE", cert.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** A certificate authority. */
  public static final class Ca {
    private final X500Name name;
    private final KeyPair keys;
    public final X509Certificate certificate;

    private Ca(X500Name name, KeyPair keys, X509Certificate certificate) {
      this.name = name;
      this.keys = keys;
      this.certificate = certificate;
    }

    /** A server certificate for {@code dnsName} and 127.0.0.1, valid from an hour ago for a day. */
    public Issued server(String dnsName) {
      return issue("CN=" + dnsName, List.of(new GeneralName(GeneralName.dNSName, dnsName),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1")), KeyPurposeId.id_kp_serverAuth, Duration.ofDays(1));
    }

    /** A client certificate with CN {@code cn} and these URI SANs. */
    public Issued client(String cn, String... uris) {
      List<GeneralName> sans = new ArrayList<>();
      for (String u : uris) sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
      return issue("CN=" + cn + ",O=Gatehouse Tests", sans, KeyPurposeId.id_kp_clientAuth, Duration.ofDays(1));
    }

    public Issued issue(String subject, List<GeneralName> sans, KeyPurposeId purpose, Duration validity) {
      KeyPair leafKeys = ecKeys();
      try {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = builder(name, new X500Name(subject), leafKeys, Instant.now().minus(Duration.ofHours(1)), validity);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
        if (!sans.isEmpty()) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        return new Issued(sign(b, keys.getPrivate()), leafKeys, certificate);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public void writeCertificate(Path file) {
      write(file, certificatePem(certificate));
    }
  }

  /** A certificate with its key, and the CA that issued it. */
  public record Issued(X509Certificate certificate, KeyPair keys, X509Certificate issuer) {
    /** Writes {@code dir/<name>.pem} (leaf, then CA) and {@code dir/<name>-key.pem}. */
    public Issued write(Path dir, String name) {
      TestPki.write(dir.resolve(name + ".pem"), certificatePem(certificate) + certificatePem(issuer));
      TestPki.write(dir.resolve(name + "-key.pem"), privateKeyPem(keys.getPrivate()));
      return this;
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant from, Duration validity) {
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from),
        Date.from(from.plus(validity)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
