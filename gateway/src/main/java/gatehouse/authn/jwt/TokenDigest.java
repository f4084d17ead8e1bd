package gatehouse.authn.jwt;

import java.util.HexFormat;

/**
 * SHA-256 of a token: the verified-token cache key, and the source of the log fingerprint (the
 * same 12 hex digits as {@code Secret.fingerprint()}), so the token is hashed once per request.
 */
record TokenDigest(long a, long b, long c, long d) {

  static TokenDigest of(gatehouse.credential.Secret token) {
    byte[] h = token.sha256();
    return new TokenDigest(word(h, 0), word(h, 8), word(h, 16), word(h, 24));
  }

  private static long word(byte[] h, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (h[offset + i] & 0xffL);
    return v;
  }

  /** 12 hex digits: the first 6 bytes of the hash. */
  String fingerprint() {
    return HexFormat.of().toHexDigits(a).substring(0, 12);
  }

  @Override
  public String toString() {
    return "TokenDigest[" + fingerprint() + "]";
  }
}
