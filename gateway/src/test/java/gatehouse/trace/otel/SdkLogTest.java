package gatehouse.trace.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gatehouse.testing.MutableClock;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The OpenTelemetry SDK's {@code java.util.logging} records, in the gateway's log and throttled. */
class SdkLogTest {
  private static final String EXPORTER = "io.opentelemetry.exporter.internal.http.HttpExporter";
  private final Logger logger = (Logger) LoggerFactory.getLogger(SdkLog.LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level before;

  @BeforeEach
  void capture() {
    before = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
    logger.setLevel(before);
  }

  /** One export that failed, as the SDK's exporter logs it: the same place, the same kind of failure, each time. */
  private static final ConnectException REFUSED = new ConnectException("Connection refused");

  private static LogRecord failedExport(int spans) {
    LogRecord r = new LogRecord(java.util.logging.Level.SEVERE, "Failed to export " + spans + " spans. The request could not be executed.");
    r.setLoggerName(EXPORTER);
    r.setThrown(REFUSED);
    return r;
  }

  @Test
  void aCollectorThatIsDownYieldsOneLinePerWindowAndTheNextLineCountsTheOthers() {
    MutableClock clock = MutableClock.start();
    SdkLog handler = new SdkLog(clock);
    for (int i = 0; i < 100; i++) {
      handler.publish(failedExport(i + 1));
      clock.advance(Duration.ofMillis(90));
    }
    List<ILoggingEvent> first = List.copyOf(appender.list);
    assertEquals(1, first.size(), "one line for 100 failed exports within 10 s");
    assertEquals(Level.ERROR, first.get(0).getLevel());
    assertEquals(SdkLog.LOGGER, first.get(0).getLoggerName());
    assertEquals("Failed to export 1 spans. The request could not be executed.", first.get(0).getFormattedMessage());
    assertNotNull(first.get(0).getThrowableProxy(), "the first line of its kind has the stack trace");

    clock.advance(Duration.ofSeconds(10));
    handler.publish(failedExport(7));

    assertEquals(2, appender.list.size());
    ILoggingEvent next = appender.list.get(1);
    assertTrue(next.getFormattedMessage().startsWith("Failed to export 7 spans. The request could not be executed. (java.net.ConnectException: Connection refused;"
        + " stack trace in the line of "), next.getFormattedMessage());
    assertTrue(next.getFormattedMessage().contains("(99 more from "), next.getFormattedMessage());
    assertNull(next.getThrowableProxy(), "later lines name the failure without its trace");
  }

  @Test
  void levelsMapOntoSlf4jAndParametersAreFilledIn() {
    MutableClock clock = MutableClock.start();
    SdkLog handler = new SdkLog(clock);
    LogRecord warning = new LogRecord(java.util.logging.Level.WARNING, "queue full, dropped {0} spans");
    warning.setLoggerName("io.opentelemetry.sdk.trace.export.BatchSpanProcessor");
    warning.setParameters(new Object[] {12});
    handler.publish(warning);
    LogRecord fine = new LogRecord(java.util.logging.Level.FINE, "debug detail");
    fine.setLoggerName(EXPORTER);
    handler.publish(fine);

    assertEquals(1, appender.list.size(), "FINE is DEBUG, below the logger's INFO");
    assertEquals(Level.WARN, appender.list.get(0).getLevel());
    assertEquals("queue full, dropped 12 spans", appender.list.get(0).getFormattedMessage());
    assertEquals(org.slf4j.event.Level.TRACE, SdkLog.level(java.util.logging.Level.FINEST));
    assertEquals(org.slf4j.event.Level.DEBUG, SdkLog.level(java.util.logging.Level.CONFIG));
    assertEquals(org.slf4j.event.Level.INFO, SdkLog.level(java.util.logging.Level.INFO));
  }

  @Test
  void installedTheSdksRecordsComeHereAndNoLongerToStderr() {
    SdkLog.install();
    SdkLog.install();
    java.util.logging.Logger sdk = java.util.logging.Logger.getLogger(SdkLog.LOGGER);
    assertFalse(sdk.getUseParentHandlers(), "not to the root's console handler (stderr)");
    assertEquals(1, java.util.Arrays.stream(sdk.getHandlers()).filter(h -> h instanceof SdkLog).count(), "installed once");

    java.util.logging.Logger.getLogger("io.opentelemetry.sdk.test" + System.nanoTime()).warning("from the SDK");

    assertEquals(1, appender.list.size());
    assertEquals("from the SDK", appender.list.get(0).getFormattedMessage());
    assertEquals(Level.WARN, appender.list.get(0).getLevel());
  }
}
