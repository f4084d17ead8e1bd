package gatehouse.authn.apikey;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a key is stored: SHA-256 of the key, or HMAC-SHA256 keyed with a pepper from the
 * environment, as 64 hex digits. A fast hash is right here: a key has 256 random bits, so there
 * is nothing to brute-force; the pepper makes a stolen table useless without the gateway's
 * environment. Changing the pepper invalidates every stored key.
 */
final class KeyHasher {
  private final Optional<SecretKeySpec> pepper;

  KeyHasher(Optional<String> pepper) {
    this.pepper = pepper.map(p -> new SecretKeySpec(p.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
  }

  String hash(String key) {
    byte[] data = key.getBytes(StandardCharsets.US_ASCII);
    try {
      if (pepper.isPresent()) {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(pepper.get());
        return HexFormat.of().formatHex(mac.doFinal(data));
      }
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new AssertionError("SHA-256 and HmacSHA256 are required of every JDK", e);
    }
  }

  /** Compares two hashes in time independent of where they differ. */
  static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  boolean peppered() {
    return pepper.isPresent();
  }
}
