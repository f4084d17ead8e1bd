package gatehouse.trace.otel;

import gatehouse.logging.ThrottledLogs;
import java.time.Clock;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK's own log lines, written to the gateway's log. The SDK logs through
 * {@code java.util.logging}, whose default handler writes to stderr in a format of its own (two
 * lines and a stack trace for every export that failed); this handler takes the SDK's records
 * instead and writes them through SLF4J as logger {@value #LOGGER}, throttled as {@link
 * ThrottledLogs} throttles: at most one line per kind (the SDK's logger, level and failure) per
 * {@link gatehouse.logging.ThrottledLog#WINDOW}, with the count of the others. So a collector that
 * is down yields one line per window, in the log's format, whatever the span rate.
 */
final class SdkLog extends Handler {
  /** The SLF4J logger the SDK's lines are written as; also the {@code java.util.logging} logger taken over. */
  static final String LOGGER = "io.opentelemetry";

  /** Held: {@code java.util.logging} keeps loggers weakly, and a collected one would lose this handler. */
  private static volatile Logger routed;

  private final ThrottledLogs log;
  private final SimpleFormatter formatter = new SimpleFormatter();

  SdkLog(Clock clock) {
    this.log = new ThrottledLogs(LoggerFactory.getLogger(LOGGER), clock);
  }

  /**
   * Sends the records of {@code java.util.logging}'s {@value #LOGGER} logger (all the SDK's) here,
   * and no longer to the parent handlers (stderr). Once per process; later calls do nothing.
   */
  static synchronized void install() {
    if (routed != null) return;
    Logger sdk = Logger.getLogger(LOGGER);
    sdk.setUseParentHandlers(false);
    sdk.addHandler(new SdkLog(Clock.systemUTC()));
    if (LoggerFactory.getLogger(LOGGER).isDebugEnabled()) sdk.setLevel(Level.FINE);
    routed = sdk;
  }

  @Override
  public void publish(LogRecord record) {
    if (record == null) return;
    org.slf4j.event.Level level = level(record.getLevel());
    String site = record.getLoggerName() + " " + record.getLevel().getName();
    String message = formatter.formatMessage(record);
    if (record.getThrown() != null) {
      log.log(level, site, "{}", message, record.getThrown());
    } else {
      log.log(level, site, "{}", message);
    }
  }

  /** {@code java.util.logging}'s level as SLF4J's: SEVERE is ERROR, WARNING WARN, INFO INFO, CONFIG and FINE DEBUG, below TRACE. */
  static org.slf4j.event.Level level(Level jul) {
    int v = jul.intValue();
    if (v >= Level.SEVERE.intValue()) return org.slf4j.event.Level.ERROR;
    if (v >= Level.WARNING.intValue()) return org.slf4j.event.Level.WARN;
    if (v >= Level.INFO.intValue()) return org.slf4j.event.Level.INFO;
    if (v >= Level.FINE.intValue()) return org.slf4j.event.Level.DEBUG;
    return org.slf4j.event.Level.TRACE;
  }

  @Override
  public void flush() {
    // SLF4J's appenders flush themselves.
  }

  @Override
  public void close() {
    // Nothing held.
  }
}
