package gatehouse.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A credential's text. {@link #toString()} never shows it; logs and metrics use {@link
 * #fingerprint()}, the first 12 hex digits of its SHA-256.
 */
public final class Secret {
  /** One digest per thread: getInstance's provider look-up would otherwise come with every hash. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is required of every JDK", e);
    }
  });

  private final String value;
  /** Computed on first use; a benign race at worst hashes twice. */
  private byte[] sha256;
  private SecretHash hash;
  private String fingerprint;

  public Secret(String value) {
    if (value == null) throw new NullPointerException("value == null");
    this.value = value;
  }

  /** The secret itself. Call only to verify it; never to log, format or forward it. */
  public String reveal() {
    return value;
  }

  public int length() {
    return value.length();
  }

  /** A short, non-reversible tag for logs: 12 hex digits of SHA-256. */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      f = hash().fingerprint();
      fingerprint = f;
    }
    return f;
  }

  /**
   * SHA-256 of the secret's UTF-8 bytes (a copy): the key of caches that must never hold the
   * secret itself. Hashed once per {@code Secret}, however many stages ask.
   */
  public byte[] sha256() {
    return digest().clone();
  }

  /** {@link #sha256()} as a cache key; computed once per {@code Secret}. */
  public SecretHash hash() {
    SecretHash h = hash;
    if (h == null) {
      h = SecretHash.of(digest());
      hash = h;
    }
    return h;
  }

  private byte[] digest() {
    byte[] h = sha256;
    if (h == null) {
      h = SHA256.get().digest(value.getBytes(StandardCharsets.UTF_8));
      sha256 = h;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(
        s.value.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
