package gatehouse.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** RFC 9530 {@code Content-Digest} values. */
public final class ContentDigest {
  private ContentDigest() {}

  /**
   * The {@code Content-Digest} field value for {@code body}: a structured-field dictionary with one
   * member, {@code sha-256}, whose value is a byte sequence (RFC 9530 section 2, RFC 8941 section
   * 3.3.5): {@code sha-256=:<base64 of SHA-256(body)>:}.
   */
  public static String sha256(byte[] body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
      return "sha-256=:" + Base64.getEncoder().encodeToString(hash) + ":";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
