package gatehouse.authn.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFormatTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void aNewKeyIsThePrefix43Base62CharactersAndA6CharacterChecksum() {
    String key = KeyFormat.generate(random);
    assertEquals(54, key.length());
    assertTrue(key.matches("gkey_[0-9A-Za-z]{49}"), key);
    assertEquals(Optional.empty(), KeyFormat.problem(key));
  }

  /** The log's redaction knows keys by their look (credential/CredentialShapes); it must know every one made here. */
  @Test
  void everyKeyMadeHereIsRedactedFromALoggedTarget() {
    gatehouse.credential.CredentialCarriers carriers = new gatehouse.credential.CredentialCarriers(Optional.empty());
    for (int i = 0; i < 1_000; i++) {
      String key = KeyFormat.generate(random);
      String logged = carriers.redact("/orders/" + key + "?note=" + key.substring(0, KeyFormat.DISPLAY_LENGTH + 1));
      assertTrue(!logged.contains(key.substring(KeyFormat.PREFIX.length())), logged);
      assertTrue(!logged.contains(key.substring(0, KeyFormat.DISPLAY_LENGTH + 1)), logged);
    }
  }

  @Test
  void keysAndIdsDoNotRepeat() {
    Set<String> keys = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      keys.add(KeyFormat.generate(random));
      ids.add(KeyFormat.newId(random));
    }
    assertEquals(10_000, keys.size());
    assertEquals(10_000, ids.size());
  }

  @Test
  void everySingleCharacterTypoIsCaughtByTheChecksum() {
    String key = KeyFormat.generate(random);
    for (int i = 5; i < key.length(); i++) {
      char c = key.charAt(i);
      char typo = c == 'a' ? 'b' : 'a';
      String mistyped = key.substring(0, i) + typo + key.substring(i + 1);
      assertNotEquals(Optional.empty(), KeyFormat.problem(mistyped), "typo at " + i);
    }
  }

  @Test
  void garbageIsRefusedWithAReasonForTheLogOnly() {
    String key = KeyFormat.generate(random);
    assertEquals(Optional.of("malformed"), KeyFormat.problem(""));
    assertEquals(Optional.of("malformed"), KeyFormat.problem("gkey_unknown"));
    assertEquals(Optional.of("too_long"), KeyFormat.problem(key + "x".repeat(100_000)));
    assertEquals(Optional.of("not_ascii"), KeyFormat.problem(key.substring(0, 20) + "é" + key.substring(21)));
    assertEquals(Optional.of("malformed"), KeyFormat.problem("xkey_" + key.substring(5)));
    assertEquals(Optional.of("malformed"), KeyFormat.problem(key.substring(0, 20) + "-" + key.substring(21)));
  }

  @Test
  void theDisplayPrefixShowsEightCharactersOfTheRandomPart() {
    String key = KeyFormat.generate(random);
    assertEquals(key.substring(0, 13), KeyFormat.displayPrefix(key));
  }

  @Test
  void hashesArePlainSha256OrHmacWithThePepper() {
    KeyHasher plain = new KeyHasher(Optional.empty());
    KeyHasher peppered = new KeyHasher(Optional.of("p".repeat(32)));
    // SHA-256("abc"), FIPS 180-2 appendix B.1
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", plain.hash("abc"));
    assertNotEquals(plain.hash("abc"), peppered.hash("abc"));
    assertEquals(64, peppered.hash("abc").length());
    assertTrue(KeyHasher.same(plain.hash("abc"), plain.hash("abc")));
  }

  @Test
  void aPepperedHashIsTheHmacEveryTimeOnEveryThread() throws Exception {
    KeyHasher peppered = new KeyHasher(Optional.of("p".repeat(32)));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("p".repeat(32).getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = java.util.HexFormat.of().formatHex(mac.doFinal("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    // The MAC is kept per thread: a second use must not carry state over from the first.
    assertEquals(expected, peppered.hash("abc"));
    assertEquals(expected, peppered.hash("abc"));
    assertEquals(expected, peppered.hash(new gatehouse.secret.Secret("abc")));
    String[] other = new String[1];
    Thread t = new Thread(() -> other[0] = peppered.hash("abc"));
    t.start();
    t.join();
    assertEquals(expected, other[0]);
  }
}
