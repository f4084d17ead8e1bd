package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {
  @Test
  void oneBatchingAppenderToStderrWithOurEncoderAndQuietFrameworks() {
    LoggerContext context = new LoggerContext();
    try {
      LogConfigurator.configure(context, null);
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      assertEquals(Level.INFO, root.getLevel());
      BatchingAppender appender = assertInstanceOf(BatchingAppender.class, root.getAppender(LogConfigurator.APPENDER));
      assertTrue(appender.isStarted());
      assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
      assertEquals(Level.WARN, context.getLogger("io.vertx").getLevel());
      assertEquals(Level.INFO, context.getLogger("gatehouse.access").getEffectiveLevel());
    } finally {
      context.stop();
    }
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
