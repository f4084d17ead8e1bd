package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.nimbusds.jose.jwk.RSAKey;
import gatehouse.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files are read by the reader, into records that compare by value and hold no secret. */
class KeyFilesConfigTest {
  @TempDir Path dir;

  @Test
  void aJwksFileIsHeldAsItsPublicKeysOnly() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    RSAKey withPrivateParts = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey(pair.getPrivate()).keyID("k").build();
    String secretKey = TestKeys.hmac().publicJwk().toJSONString();
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\": [" + withPrivateParts.toJSONString() + ", " + secretKey + "]}");
    KeySourceConfig.JwksFile read = (KeySourceConfig.JwksFile) load("jwks_file: jwks.json").auth().jwt().get(0).keys();
    assertEquals(List.of(withPrivateParts.toPublicJWK()), read.keys());
    assertFalse(read.keys().get(0).isPrivate());
  }

  @Test
  void twoLoadsOfTheSameKeyFilesGiveEqualConfigs() throws Exception {
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa(), TestKeys.ec256()));
    Files.writeString(dir.resolve("issuer.pem"), TestKeys.ed25519().publicPem());
    String providers = "jwks_file: jwks.json}\n    - {name: b, issuer: \"https://b.example.com\", public_key_pem: issuer.pem";
    assertEquals(load(providers), load(providers));
  }

  private GatehouseConfig load(String keySource) throws Exception {
    return TestConfigs.parse(MINIMAL + "auth:\n  jwt:\n    - {name: a, issuer: \"https://a.example.com\", " + keySource + "}\n", dir);
  }
}
