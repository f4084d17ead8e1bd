package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.jwk.RSAKey;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** jwks_file, public_key_pem, secret and in-memory key sources, and how bad key material is refused at load. */
class LocalKeySourcesTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);
  @TempDir Path dir;

  @Test
  void jwksFileKeysVerifyTokens() throws Exception {
    Path file = Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa(), TestKeys.ec384()));
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.JwksFile(file)));
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(TestKeys.ec384(), clock).sign()));
    assertEquals(2, a.status().get(0).keyCount());
    assertTrue(a.status().get(0).ready());
    assertEquals("jwks_file " + file, a.status().get(0).source());
  }

  @ParameterizedTest
  @EnumSource(value = TestKeys.Kind.class, names = {"RSA", "EC_P256", "EC_P384", "EC_P521", "ED25519"})
  void pemPublicKeyVerifiesTokensWhateverTheirKid(TestKeys.Kind kind) throws Exception {
    TestKeys.TestKey key = TestKeys.get(kind, 0);
    Path pem = Files.writeString(dir.resolve("pub.pem"), key.publicPem());
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.PublicKeyPem(pem)));
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(key, clock).sign()));
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(key, clock).noKid().sign()));
    String other = TestTokens.signedBy(TestKeys.get(kind, 1), clock).sign();
    assertRejected(FailureCodes.BAD_SIGNATURE, Jwt.authenticate(a, other), other);
  }

  @Test
  void pemWithAPrivateKeyIsRefusedAtLoad() throws Exception {
    Path pem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertEquals("holds a private key; give the public key (openssl pkey -pubout)",
        assertThrows(IllegalArgumentException.class,
            () -> new KeySourceConfig.PublicKeyPem(pem)).getMessage());
  }

  @Test
  void pkcs1RsaPublicKeyIsRefusedWithTheConversionCommand() throws Exception {
    Path pem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n");
    assertEquals("PKCS#1 'RSA PUBLIC KEY' is not supported; convert it with"
        + " openssl rsa -RSAPublicKey_in -pubout",
        assertThrows(IllegalArgumentException.class,
            () -> new KeySourceConfig.PublicKeyPem(pem)).getMessage());
  }

  @Test
  void missingKeyFileIsRefusedWhenRead() {
    Path missing = dir.resolve("nope.json");
    String message = assertThrows(IllegalArgumentException.class, () -> new KeySourceConfig.JwksFile(missing)).getMessage();
    assertTrue(message.startsWith("cannot read " + missing), message);
  }

  @Test
  void symmetricKeyInAPublicKeySetIsIgnored() {
    String jwks = TestKeys.jwks(TestKeys.rsa(), TestKeys.hmac());
    JwtAuthenticator a = authenticators.create(Jwt.provider().keys(new KeySourceConfig.InMemory(jwks)));
    assertEquals(1, a.status().get(0).keyCount());
  }

  @Test
  void keySetWithNoUsableKeyIsRefusedAtLoad() {
    String jwks = TestKeys.jwks(TestKeys.hmac());
    String message = assertThrows(IllegalArgumentException.class,
        () -> authenticators.create(Jwt.provider().keys(new KeySourceConfig.InMemory(jwks)))).getMessage();
    assertTrue(message.startsWith("auth.jwt[main]: no usable verification key"), message);
  }

  @Test
  void publicKeyVerifiersRunOnTheEnginesProvider() {
    assumeTrue(Authenticators.ENGINE.provider().isPresent(), "no native provider on this machine");
    for (TestKeys.TestKey key : java.util.List.of(TestKeys.rsa(), TestKeys.ec256())) {
      VerificationKey.Compiled compiled = VerificationKey.compile(key.publicJwk(), Authenticators.ENGINE);
      VerificationKey verification = ((VerificationKey.Compiled.Ok) compiled).key();
      assertEquals(Authenticators.ENGINE.provider().get(), verification.verifier().getJCAContext().getProvider(), key.kind().toString());
    }
  }

  @Test
  void rsaKeyShorterThan2048BitsIsNeverUsed() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    RSAKey small = new RSAKey.Builder((RSAPublicKey) g.generateKeyPair().getPublic()).keyID("small").build();
    VerificationKey.Compiled compiled = VerificationKey.compile(small, Authenticators.ENGINE);
    assertEquals(new VerificationKey.Compiled.Refused("RSA key of 1024 bits; at least 2048 required"), compiled);
  }

  @Test
  void ecdsaSignatureCheckRefusesZeroOutOfRangeAndWrongLength() {
    BigInteger order = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    byte[] ok = new byte[64];
    ok[31] = 1;
    ok[63] = 1;
    assertTrue(EcdsaSignatures.isLegal(ok, 32, order));
    assertFalse(EcdsaSignatures.isLegal(new byte[64], 32, order));
    byte[] rZero = ok.clone();
    rZero[31] = 0;
    assertFalse(EcdsaSignatures.isLegal(rZero, 32, order));
    byte[] sZero = ok.clone();
    sZero[63] = 0;
    assertFalse(EcdsaSignatures.isLegal(sZero, 32, order));
    byte[] rIsOrder = ok.clone();
    System.arraycopy(order.toByteArray(), 1, rIsOrder, 0, 32);
    assertFalse(EcdsaSignatures.isLegal(rIsOrder, 32, order));
    assertFalse(EcdsaSignatures.isLegal(new byte[63], 32, order));
  }
}
