package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {
  @Test
  void logbacksAsyncAppenderOverStderrNeverBlockingWithQuietFrameworks() {
    LoggerContext context = new LoggerContext();
    try {
      LogConfigurator.configure(context, null);
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      assertEquals(Level.INFO, root.getLevel());
      AsyncAppender appender = assertInstanceOf(AsyncAppender.class, root.getAppender(LogConfigurator.APPENDER));
      assertTrue(appender.isStarted());
      assertTrue(appender.isNeverBlock());
      assertEquals(0, appender.getDiscardingThreshold());
      assertEquals("System.err", assertInstanceOf(ConsoleAppender.class, appender.iteratorForAppenders().next()).getTarget());
      assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
      assertEquals(Level.WARN, context.getLogger("io.vertx").getLevel());
      assertEquals(Level.INFO, context.getLogger("gatehouse.access").getEffectiveLevel());
    } finally {
      context.stop();
    }
  }

  /** The line shape of the issue-18 encoder: UTC time, padded level, abbreviated logger, message. */
  @Test
  void aLineIsUtcTimeLevelLoggerAndMessage() {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
      LogConfigurator.configure(context, null);
      context.getLogger("com.zaxxer.hikari.HikariDataSource").warn("pool {} is {}", "p", "full");
      context.getLogger("gatehouse.Gatehouse").info("x", new IllegalStateException("boom"));
    } finally {
      context.stop();
      System.setErr(originalErr);
    }
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines[0].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  c\\.z\\.h\\.HikariDataSource pool p is full"), lines[0]);
    assertTrue(lines[1].endsWith("Z INFO  gatehouse.Gatehouse x"), lines[1]);
    assertEquals("java.lang.IllegalStateException: boom", lines[2]);
  }

  @Test
  void theRootLevelComesFromTheEnvironmentAndAnUnknownOneIsInfo() {
    for (String[] c : new String[][] {{"DEBUG", "DEBUG"}, {"warn", "WARN"}, {"loud", "INFO"}}) {
      LoggerContext context = new LoggerContext();
      try {
        LogConfigurator.configure(context, c[0]);
        assertEquals(Level.toLevel(c[1]), context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel(), c[0]);
      } finally {
        context.stop();
      }
    }
  }

  @Test
  void aLogbackTestXmlOnTheClassPathTakesOver() {
    // The tests' logback-test.xml is on this class path: Logback's own configurator must read it.
    assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, new LogConfigurator().configure(new LoggerContext()));
  }

  @Test
  void logbackFindsItAsAService() throws Exception {
    try (InputStream in = LogConfigurator.class.getResourceAsStream("/META-INF/services/" + Configurator.class.getName())) {
      assertEquals(LogConfigurator.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    }
  }
}
