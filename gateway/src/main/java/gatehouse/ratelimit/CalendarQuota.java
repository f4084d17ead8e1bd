package gatehouse.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * At most {@code requests} per calendar {@code period} in UTC: a fixed window that starts at 00:00
 * UTC (a day) or on the 1st at 00:00 UTC (a month), counted exactly, and empty again when the next
 * window starts. Unlike a {@link Limit} it does not refill: what a window admitted stays counted
 * until the window ends. {@code quota.lua} computes the same windows from Redis's clock.
 */
public record CalendarQuota(long requests, Period period) {
  /** The most a quota may allow in one window. */
  public static final long MAX = 1_000_000_000_000L;

  public CalendarQuota {
    if (requests < 1 || requests > MAX) throw new IllegalArgumentException("quota must be between 1 and " + MAX + " requests, got " + requests);
  }

  /** The calendar unit of a quota's window. */
  public enum Period {
    DAY, MONTH;

    /** {@code day} or {@code month}, as stored, configured and shown. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The period {@code word} names ({@code day} or {@code month}), else empty. */
    public static Optional<Period> of(String word) {
      for (Period p : values()) if (p.word().equals(word)) return Optional.of(p);
      return Optional.empty();
    }
  }

  /** The window from {@code start} (inclusive) to {@code end} (exclusive). */
  public record Window(Instant start, Instant end) {
    public Duration length() {
      return Duration.between(start, end);
    }
  }

  /** The window {@code at} falls in. */
  public Window windowAt(Instant at) {
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    LocalDate start = period == Period.DAY ? day : day.withDayOfMonth(1);
    LocalDate end = period == Period.DAY ? start.plusDays(1) : start.plusMonths(1);
    return new Window(start.atStartOfDay(ZoneOffset.UTC).toInstant(), end.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /**
   * {@code 1000/day} or {@code 50000/month}, the form the CLI, the admin API and the key files take;
   * empty when {@code text} is not one.
   */
  public static Optional<CalendarQuota> parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 1) return Optional.empty();
    Optional<Period> period = Period.of(text.substring(slash + 1).strip());
    String number = text.substring(0, slash).strip();
    if (period.isEmpty() || !number.matches("[0-9]{1,13}")) return Optional.empty();
    long n = Long.parseLong(number);
    return n < 1 || n > MAX ? Optional.empty() : Optional.of(new CalendarQuota(n, period.get()));
  }

  /** What {@link #parse} takes, for error messages. */
  public static final String FORMS = "N/day or N/month, N from 1 to " + MAX;

  @Override
  public String toString() {
    return requests + "/" + period.word();
  }
}
