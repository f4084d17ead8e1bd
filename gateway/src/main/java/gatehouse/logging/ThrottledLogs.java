package gatehouse.logging;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines that a request can cause, a client's or a flood's: at most one per kind per {@link
 * ThrottledLog#WINDOW}, with the count of the others of that kind, so that request volume never
 * sets log volume (issue 20, section 3). A kind is the caller's {@code site} (a constant naming the
 * log statement, or an upstream's name) and, when the last argument is a {@code Throwable}, its
 * class and the frame it was thrown from: two different failures at one site are two kinds, and
 * neither hides the other. The first line of a kind carries its stack trace; later lines of that
 * kind carry the exception's class and message only, and say when the trace was written.
 *
 * <p>At most {@link #MAX_KINDS} kinds are kept apart; any later kind shares one window with the
 * other late ones, so that the memory held is bounded whatever fails. Thread-safe; formatting
 * happens only for lines that are written.
 */
public final class ThrottledLogs {
  /** Kinds kept apart: more than the log sites and exception types a healthy process has. */
  static final int MAX_KINDS = 64;

  private static final class Kind {
    final ThrottledLog log;
    /** When this kind's stack trace was written, or null while it was not. */
    volatile Instant traced;

    Kind(ThrottledLog log) {
      this.log = log;
    }
  }

  private final Logger logger;
  private final Clock clock;
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final Kind late;

  /** At most one line per kind per {@link ThrottledLog#WINDOW} to {@code logger}, timed by {@code clock}. */
  public ThrottledLogs(Logger logger, Clock clock) {
    this.logger = logger;
    this.clock = clock;
    this.late = new Kind(new ThrottledLog(logger, clock));
  }

  public void error(String site, String format, Object... args) {
    log(Level.ERROR, site, format, args);
  }

  public void warn(String site, String format, Object... args) {
    log(Level.WARN, site, format, args);
  }

  /**
   * Writes the line at {@code level} unless a line of its kind was written in this window; then
   * counts it. A trailing {@code Throwable} argument is logged with its stack trace the first time
   * its kind is written. Returns whether the line was written.
   */
  public boolean log(Level level, String site, String format, Object... args) {
    if (!logger.isEnabledForLevel(level)) return false;
    Throwable failure = args.length > 0 && args[args.length - 1] instanceof Throwable t ? t : null;
    Kind kind = kind(kindOf(site, failure));
    Instant traced = kind.traced;
    if (failure == null || traced == null) {
      boolean written = kind.log.log(level, format, args);
      if (written && failure != null) kind.traced = clock.instant();
      return written;
    }
    Object[] summarised = Arrays.copyOf(args, args.length);
    summarised[args.length - 1] = failure + "; stack trace in the line of " + traced.truncatedTo(ChronoUnit.SECONDS);
    return kind.log.log(level, format + " ({})", summarised);
  }

  /** {@code site}, and where {@code failure} (if any) was thrown and of which class. */
  static String kindOf(String site, Throwable failure) {
    if (failure == null) return site;
    StackTraceElement[] trace = failure.getStackTrace();
    return site + " " + failure.getClass().getName() + (trace.length == 0 ? "" : " at " + trace[0]);
  }

  private Kind kind(String name) {
    Kind kind = kinds.get(name);
    if (kind != null) return kind;
    if (kinds.size() >= MAX_KINDS) return late;
    return kinds.computeIfAbsent(name, n -> new Kind(new ThrottledLog(logger, clock)));
  }
}
