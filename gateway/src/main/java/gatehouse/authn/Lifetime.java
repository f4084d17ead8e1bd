package gatehouse.authn;

import java.time.Duration;
import java.time.Instant;

/** The {@code max_token_lifetime} rule shared by JWTs and introspection answers. */
public final class Lifetime {
  private Lifetime() {}

  /**
   * Why a token issued at {@code iat} (null when it has none) and ending at {@code exp} lives
   * longer than {@code max}, judged at {@code now}: {@code exp - iat}, or {@code exp - now} without
   * {@code iat}. Null when it does not; the answer is fit for a log detail.
   */
  public static String exceeded(Instant iat, Instant now, Instant exp, Duration max) {
    Duration lifetime = Duration.between(iat != null ? iat : now, exp);
    if (lifetime.compareTo(max) <= 0) return null;
    return (iat != null ? "exp - iat is " : "exp - now (no iat) is ") + lifetime.getSeconds() + "s, max_token_lifetime "
        + max.getSeconds() + "s";
  }
}
