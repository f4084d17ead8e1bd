package gatehouse.secret;

import java.util.HexFormat;

/**
 * A secret's SHA-256 as four longs: the key of every cache that must never hold the secret itself
 * (verified tokens, bearer-token routes, introspection answers). A record, so equality compares 32 bytes and the hash
 * code is computed from them without a loop over a byte array on each look-up.
 */
public record SecretHash(long a, long b, long c, long d) {

  static SecretHash of(byte[] sha256) {
    return new SecretHash(word(sha256, 0), word(sha256, 8), word(sha256, 16), word(sha256, 24));
  }

  private static long word(byte[] h, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (h[offset + i] & 0xffL);
    return v;
  }

  /** 12 hex digits, the first 6 bytes of the hash: the same as {@link Secret#fingerprint()}. */
  public String fingerprint() {
    return HexFormat.of().toHexDigits(a).substring(0, 12);
  }

  @Override
  public String toString() {
    return "SecretHash[" + fingerprint() + "]";
  }
}
