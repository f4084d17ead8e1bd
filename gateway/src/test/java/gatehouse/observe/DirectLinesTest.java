package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.turbo.MarkerFilter;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The access log's way around Logback: taken only where its bytes are what Logback would write. */
class DirectLinesTest {
  private static final RequestHead HEAD = new RequestHead("GET", "/x?api_key=secret", "h", MultiMap.caseInsensitiveMultiMap());
  private static final Outcome REJECTED = new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void restore() {
    context.stop();
    System.setErr(originalErr);
  }

  /** A context as the gateway configures it, writing to {@link #err}. */
  private LoggerContext gatewayLogging(String level) {
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setErr(new PrintStream(err, false, StandardCharsets.UTF_8));
    LogConfigurator.configure(context, level);
    return context;
  }

  private String written() {
    context.stop();
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withTheGatewaysLoggingTheLineIsWhatTheEncoderWouldWriteForTheEvent() {
    Logger access = gatewayLogging(null).getLogger("gatehouse.access");
    AccessLog log = new AccessLog(Optional.of("api_key"), access);
    assertTrue(log.direct());
    log.record("1", HEAD, REJECTED, Optional.empty(), 1_049_999);
    String line = written();

    String expected = "INFO  gatehouse.access " + log.line("1", HEAD, REJECTED, Optional.empty(), 1_049_999) + "\n";
    assertEquals("INFO  gatehouse.access id=1 method=GET target=\"/x?api_key=[redacted:" + new gatehouse.secret.Secret("secret").fingerprint() + "]\" outcome=rejected status=404 error=no_route latency_ms=1.05\n",
        expected);
    assertTrue(TIME.matcher(line.substring(0, 24)).matches(), line);
    assertEquals(" " + expected, line.substring(24));
  }

  @Test
  void aLoggerAboveInfoWritesNothing() {
    Logger access = gatewayLogging("WARN").getLogger("gatehouse.access");
    AccessLog log = new AccessLog(Optional.empty(), access);
    assertTrue(log.direct());
    log.record("1", HEAD, REJECTED, Optional.empty(), 1);
    assertEquals("", written());
  }

  @Test
  void afterTheAppenderStopsLinesGoThroughLogbackAgain() {
    Logger access = gatewayLogging(null).getLogger("gatehouse.access");
    AccessLog log = new AccessLog(Optional.empty(), access);
    context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfigurator.APPENDER).stop();
    ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> list = new ListAppender<>();
    list.setContext(context);
    list.start();
    access.addAppender(list);
    log.record("1", HEAD, REJECTED, Optional.empty(), 1);
    assertEquals(1, list.list.size());
    assertTrue(list.list.get(0).getFormattedMessage().startsWith("id=1 method=GET"), list.list.get(0).getFormattedMessage());
  }

  @Test
  void anyOtherConfigurationKeepsLogbacksPath() {
    // A second appender on the access logger.
    Logger access = gatewayLogging(null).getLogger("gatehouse.access");
    ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> list = new ListAppender<>();
    list.setContext(context);
    list.start();
    access.addAppender(list);
    assertFalse(DirectLines.of(access).isPresent());
    access.detachAppender(list);
    assertTrue(DirectLines.of(access).isPresent());

    // Not additive, with an appender of its own that is not ours.
    access.setAdditive(false);
    assertFalse(DirectLines.of(access).isPresent());
    access.setAdditive(true);

    // A filter on our appender.
    BatchingAppender ours = (BatchingAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogConfigurator.APPENDER);
    Filter<ch.qos.logback.classic.spi.ILoggingEvent> deny = new Filter<>() {
      @Override
      public FilterReply decide(ch.qos.logback.classic.spi.ILoggingEvent event) {
        return FilterReply.DENY;
      }
    };
    ours.addFilter(deny);
    assertFalse(DirectLines.of(access).isPresent());
    ours.clearAllFilters();
    assertTrue(DirectLines.of(access).isPresent());

    // A turbo filter in the context.
    MarkerFilter turbo = new MarkerFilter();
    context.addTurboFilter(turbo);
    assertFalse(DirectLines.of(access).isPresent());
    context.resetTurboFilterList();
    assertTrue(DirectLines.of(access).isPresent());
  }

  @Test
  void ourAppenderWithAnotherEncoderKeepsLogbacksPath() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    BatchingAppender appender = new BatchingAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    assertFalse(DirectLines.of(context.getLogger("gatehouse.access")).isPresent());
    assertFalse(DirectLines.of(org.slf4j.helpers.NOPLogger.NOP_LOGGER).isPresent());
  }
}
