package gatehouse.authn.apikey;

import gatehouse.secret.Secret;
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
  /** One keyed MAC per thread: getInstance and init cost more than hashing a key. */
  private final ThreadLocal<Mac> macs;

  KeyHasher(Optional<String> pepper) {
    this.pepper = pepper.map(p -> new SecretKeySpec(p.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(this.pepper.orElseThrow());
        return mac;
      } catch (GeneralSecurityException e) {
        throw new AssertionError("HmacSHA256 is required of every JDK", e);
      }
    });
  }

  /** The stored form of {@code key} (ASCII, as {@link KeyFormat} requires). */
  String hash(String key) {
    return hash(new Secret(key));
  }

  /**
   * The stored form of {@code key}. Without a pepper it is the SHA-256 the pipeline already took of
   * every credential (for its log fingerprint), so a request hashes its key once.
   */
  String hash(Secret key) {
    if (pepper.isEmpty()) return HexFormat.of().formatHex(key.sha256());
    return HexFormat.of().formatHex(macs.get().doFinal(key.reveal().getBytes(StandardCharsets.US_ASCII)));
  }

  /** Compares two hashes in time independent of where they differ. */
  static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  boolean peppered() {
    return pepper.isPresent();
  }
}
