package gatehouse.authn;

import java.time.Instant;

/**
 * RFC 7519 section 2 NumericDate, as JWT claims and RFC 7662 answers carry {@code exp}, {@code
 * nbf} and {@code iat}: a JSON number of seconds since 1970-01-01T00:00:00Z, fractions allowed.
 * Only dates from the epoch to {@link #MAX} are accepted: a negative date, a number beyond the year
 * 9999 (2^64, 1e300) or any other value is not a date a token can mean, and is refused rather than
 * clamped, so that an {@code exp} of 2^64 never reads as "valid for ever".
 */
public final class NumericDate {
  /** 9999-12-31T23:59:59Z, the last second a four-digit year can name. */
  public static final long MAX_SECONDS = 253_402_300_799L;
  /** {@link #MAX_SECONDS} as an instant. */
  public static final Instant MAX = Instant.ofEpochSecond(MAX_SECONDS);
  /** What a refusal says is expected, after the claim's name. */
  public static final String EXPECTED = "is not a NumericDate from 0 to " + MAX_SECONDS + " (" + MAX + ")";

  private NumericDate() {}

  /**
   * The instant {@code value} names, or null when it is not a JSON number ({@code Long}, {@code
   * Integer} or {@code Double} as the project's JSON readers return them) from 0 to {@link
   * #MAX_SECONDS}. NaN and infinities are refused.
   */
  public static Instant of(Object value) {
    if (value instanceof Long l) return l >= 0 && l <= MAX_SECONDS ? Instant.ofEpochSecond(l) : null;
    if (value instanceof Integer i) return i >= 0 ? Instant.ofEpochSecond(i) : null;
    if (value instanceof Double d) {
      // Written so that NaN fails both comparisons.
      if (!(d >= 0 && d <= MAX_SECONDS)) return null;
      long seconds = (long) Math.floor(d);
      return Instant.ofEpochSecond(seconds, (long) ((d - seconds) * 1e9));
    }
    return null;
  }
}
