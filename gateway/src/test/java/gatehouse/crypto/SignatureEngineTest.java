package gatehouse.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureSpi;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignatureEngineTest {
  /** The native provider ships for Linux on x86-64, where CI runs; elsewhere `auto` falls back. */
  private static final boolean NATIVE_EXPECTED = System.getProperty("os.name").equals("Linux")
      && (System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64"));

  @Test
  void jdkIsTheJdksProviders() throws Exception {
    SignatureEngine jdk = SignatureEngine.select(SignatureEngine.Choice.JDK);
    assertSame(SignatureEngine.jdk(), jdk);
    assertFalse(jdk.isNative());
    assertEquals(Optional.empty(), jdk.provider());
    assertEquals(Optional.empty(), jdk.fallbackReason());
    assertEquals("jdk", jdk.toString());
    assertEquals(Signature.getInstance("Ed25519").getProvider(), jdk.signature("Ed25519").getProvider());
  }

  @Test
  void autoIsNativeOnLinuxX64() {
    assumeTrue(NATIVE_EXPECTED || System.getenv("CI") != null, "the native provider ships for Linux x86-64 only");
    SignatureEngine auto = SignatureEngine.select(SignatureEngine.Choice.AUTO);
    assertTrue(auto.isNative(), () -> "fell back: " + auto.fallbackReason().orElse("?"));
    assertTrue(auto.toString().startsWith("native (AWS-LC, AmazonCorrettoCryptoProvider "), auto.toString());
    assertEquals(Optional.empty(), auto.fallbackReason());
  }

  @Test
  void autoFallsBackToTheJdkAndSaysWhy() {
    SignatureEngine engine = SignatureEngine.select(SignatureEngine.Choice.AUTO, () -> {
      throw new IllegalStateException("it did not load (UnsatisfiedLinkError: no such library)");
    });
    assertFalse(engine.isNative());
    assertEquals(Optional.of("it did not load (UnsatisfiedLinkError: no such library)"), engine.fallbackReason());
    assertEquals(Optional.of("NoClassDefFoundError: com/amazon/corretto/crypto/provider/AmazonCorrettoCryptoProvider"),
        SignatureEngine.select(SignatureEngine.Choice.AUTO, () -> {
          throw new NoClassDefFoundError("com/amazon/corretto/crypto/provider/AmazonCorrettoCryptoProvider");
        }).fallbackReason());
  }

  @Test
  void nativeRefusesToStartWithoutIt() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SignatureEngine.select(SignatureEngine.Choice.NATIVE,
        () -> Security.getProvider("SunRsaSign")));
    assertEquals("native was asked for, but the native provider cannot be used on this machine: it has no SHA256withECDSA", e.getMessage());
  }

  @Test
  void aProviderThatAcceptsEverySignatureIsRefused() {
    assertEquals("SHA256withECDSA does not verify as the JDK does", SignatureEngine.check(new Lenient()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSA", "EC"})
  void nativeKeysAreMadeOnceAndVerifyWhatTheJdkSigned(String kind) throws Exception {
    assumeTrue(NATIVE_EXPECTED || System.getenv("CI") != null, "the native provider ships for Linux x86-64 only");
    SignatureEngine engine = SignatureEngine.select(SignatureEngine.Choice.NATIVE);
    KeyPairGenerator g = KeyPairGenerator.getInstance(kind);
    g.initialize(kind.equals("RSA") ? 2048 : 256);
    KeyPair pair = g.generateKeyPair();
    String alg = kind.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    Signature s = Signature.getInstance(alg);
    s.initSign(pair.getPrivate());
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();

    PublicKey translated = engine.publicKey(pair.getPublic());
    assertNotSame(pair.getPublic().getClass(), translated.getClass());
    Signature v = engine.signature(alg);
    assertSame(engine.provider().orElseThrow(), v.getProvider());
    v.initVerify(translated);
    v.update(new byte[] {1, 2, 3});
    assertTrue(v.verify(sig));
    v.initVerify(translated);
    v.update(new byte[] {1, 2, 4});
    assertFalse(v.verify(sig));
  }

  @Test
  void theJdkEngineLeavesKeysAsTheyAre() throws Exception {
    PublicKey key = KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic();
    assertSame(key, SignatureEngine.jdk().publicKey(key));
  }

  /** Offers every algorithm, and says yes to every signature: what {@link SignatureEngine#check} exists to catch. */
  private static final class Lenient extends Provider {
    Lenient() {
      super("Lenient", "1", "accepts anything");
      for (String alg : SignatureEngine.ALGORITHMS) put("Signature." + alg, Yes.class.getName());
    }
  }

  public static final class Yes extends SignatureSpi {
    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {}

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {}

    @Override
    protected void engineUpdate(byte b) {}

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {}

    @Override
    protected byte[] engineSign() {
      return new byte[64];
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) {
      return true;
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {}

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }
}
