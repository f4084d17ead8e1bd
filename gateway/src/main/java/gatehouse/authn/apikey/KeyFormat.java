package gatehouse.authn.apikey;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The key format: {@code gkey_} + 43 base62 characters (32 random bytes) + 6 base62 characters
 * of CRC32 over everything before them. 54 ASCII characters in all. The checksum lets a mistyped
 * or made-up key be refused without a lookup, and lets secret scanners recognise a real key.
 */
final class KeyFormat {
  static final String PREFIX = "gkey_";
  static final int RANDOM_BYTES = 32;
  static final int BODY_LENGTH = 43;   // 62^43 > 2^256
  static final int CHECK_LENGTH = 6;   // 62^6 > 2^32
  static final int LENGTH = PREFIX.length() + BODY_LENGTH + CHECK_LENGTH;
  /** Shown in listings and logs: the prefix and 8 characters, 47 of 256 random bits. */
  static final int DISPLAY_LENGTH = PREFIX.length() + 8;
  static final String ID_PREFIX = "key_";

  private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final BigInteger BASE = BigInteger.valueOf(62);

  private KeyFormat() {}

  /** A new key from {@code random}. */
  static String generate(SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String head = PREFIX + base62(new BigInteger(1, bytes), BODY_LENGTH);
    return head + checksum(head);
  }

  /** A new key id: {@code key_} + 16 base62 characters; not secret. */
  static String newId(SecureRandom random) {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return ID_PREFIX + base62(new BigInteger(1, bytes), 17);
  }

  /**
   * Why {@code key} cannot be a key, checked without any lookup, or empty when it may be one. The
   * length is checked first, so a huge value costs nothing more. Not constant-time: it reveals
   * only whether a value is well-formed, which anyone can compute.
   */
  static Optional<String> problem(String key) {
    if (key.length() != LENGTH) return Optional.of(key.length() > LENGTH ? "too_long" : "malformed");
    if (!key.startsWith(PREFIX)) return Optional.of("malformed");
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      if (ALPHABET.indexOf(key.charAt(i)) < 0) return Optional.of(key.charAt(i) > 127 ? "not_ascii" : "malformed");
    }
    String head = key.substring(0, LENGTH - CHECK_LENGTH);
    if (!checksum(head).equals(key.substring(LENGTH - CHECK_LENGTH))) return Optional.of("bad_checksum");
    return Optional.empty();
  }

  static String displayPrefix(String key) {
    return key.substring(0, DISPLAY_LENGTH);
  }

  static String checksum(String head) {
    CRC32 crc = new CRC32();
    crc.update(head.getBytes(StandardCharsets.US_ASCII));
    return base62(BigInteger.valueOf(crc.getValue()), CHECK_LENGTH);
  }

  private static String base62(BigInteger value, int width) {
    char[] out = new char[width];
    BigInteger v = value;
    for (int i = width - 1; i >= 0; i--) {
      BigInteger[] qr = v.divideAndRemainder(BASE);
      out[i] = ALPHABET.charAt(qr[1].intValue());
      v = qr[0];
    }
    if (v.signum() != 0) throw new AssertionError("value does not fit in " + width + " base62 digits");
    return new String(out);
  }
}
