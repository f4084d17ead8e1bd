package gatehouse.logging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * Log lines about one dependency (a JWKS endpoint, an authorization server), at most one per
 * window (10 s) by the injected clock, so that request volume never sets log volume.
 * The first line of a window is written; the rest are counted, and the count goes out with the
 * next line written: {@code "... (37 more from 15:40:00Z to 15:40:10Z, not logged)"}. Every
 * suppressed line happened inside the window it is reported for. Use one instance per dependency;
 * thread-safe, and the lock is held only to update two fields. Formatting happens only for lines
 * that are written.
 */
public final class ThrottledLog {
  /** The window the issue asks for: at most one line per dependency per 10 s. */
  public static final Duration WINDOW = Duration.ofSeconds(10);

  private final Logger logger;
  private final Clock clock;

  private Instant windowStart = Instant.MIN;
  private long suppressed;
  private long reported;

  /** At most one line per {@link #WINDOW} to {@code logger}. */
  public ThrottledLog(Logger logger, Clock clock) {
    this.logger = logger;
    this.clock = clock;
  }

  public void error(String format, Object... args) {
    log(Level.ERROR, format, args);
  }

  public void warn(String format, Object... args) {
    log(Level.WARN, format, args);
  }

  public void info(String format, Object... args) {
    log(Level.INFO, format, args);
  }

  /**
   * Writes the line at {@code level} if no line was written in this window; otherwise counts it.
   * A trailing {@code Throwable} argument is logged with its stack trace, as slf4j does. Returns
   * whether the line was written.
   */
  public boolean log(Level level, String format, Object... args) {
    if (!logger.isEnabledForLevel(level)) return false;
    Instant now = clock.instant();
    long before;
    Instant previousStart;
    synchronized (this) {
      if (windowStart != Instant.MIN && now.isBefore(windowStart.plus(WINDOW))) {
        suppressed++;
        return false;
      }
      before = suppressed;
      previousStart = windowStart;
      reported += suppressed;
      suppressed = 0;
      windowStart = now;
    }
    var formatted = MessageFormatter.arrayFormat(format, args);
    String message = formatted.getMessage();
    if (before > 0) {
      message += " (" + before + " more from " + previousStart.truncatedTo(ChronoUnit.SECONDS) + " to "
          + previousStart.plus(WINDOW).truncatedTo(ChronoUnit.SECONDS) + ", not logged)";
    }
    var event = logger.atLevel(level);
    if (formatted.getThrowable() != null) event = event.setCause(formatted.getThrowable());
    event.log(message);
    return true;
  }

  /** Lines counted but not yet reported; the property test's accounting (nothing lost) needs it. */
  synchronized long pending() {
    return suppressed;
  }

  /** Suppressed lines whose count has gone out with a written line; for the same accounting. */
  synchronized long reported() {
    return reported;
  }
}
