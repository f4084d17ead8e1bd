package gatehouse.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class SecretTest {
  @Test
  void hashIsTheSha256OfTheUtf8Text() throws Exception {
    Secret s = new Secret("gh_live_ünïcode");
    byte[] expected = MessageDigest.getInstance("SHA-256").digest("gh_live_ünïcode".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(expected, s.sha256());
    SecretHash h = s.hash();
    ByteBuffer words = ByteBuffer.wrap(expected);
    assertEquals(new SecretHash(words.getLong(), words.getLong(), words.getLong(), words.getLong()), h);
    assertSame(h, s.hash(), "hashed once per secret");
  }

  @Test
  void equalSecretsHaveEqualHashesAndOthersDoNot() {
    assertEquals(new Secret("token-a").hash(), new Secret("token-a").hash());
    assertEquals(new Secret("token-a").hash().hashCode(), new Secret("token-a").hash().hashCode());
    assertNotEquals(new Secret("token-a").hash(), new Secret("token-b").hash());
  }

  @Test
  void theFingerprintIsTheSameEitherWayAndNeverTheSecret() {
    Secret s = new Secret("a-secret-that-must-not-show");
    assertEquals(java.util.HexFormat.of().formatHex(s.sha256(), 0, 6), s.fingerprint());
    assertEquals(s.fingerprint(), s.hash().fingerprint());
    assertFalse(s.toString().contains("a-secret"));
    assertFalse(s.hash().toString().contains("a-secret"));
  }
}
