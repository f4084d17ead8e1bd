package gatehouse.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The gateway's logging, configured in code (found by Logback through {@code META-INF/services}):
 * one {@link BatchingAppender} to stderr with the {@link LineEncoder}; Netty and Vert.x at
 * {@code WARN}; the root at {@code GATEHOUSE_LOG_LEVEL} (default {@code INFO}). In code rather
 * than in a {@code logback.xml}, because reading that file (an XML parser, then Joran's reflection
 * over the appender's setters) ran on the main thread at every start.
 *
 * <p>A {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on the class path (the
 * tests') still takes over: this configurator then leaves the choice to Logback's own.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String APPENDER = "STDERR";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    boolean fileGiven = System.getProperty("logback.configurationFile") != null
        || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null;
    if (fileGiven) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    configure(context, System.getenv("GATEHOUSE_LOG_LEVEL"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Configures {@code context} with the root at {@code rootLevel} ({@code INFO} when null or unknown). */
  static void configure(LoggerContext context, String rootLevel) {
    LineEncoder encoder = new LineEncoder();
    encoder.setContext(context);
    encoder.start();
    BatchingAppender appender = new BatchingAppender();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setEncoder(encoder);
    appender.start();
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(rootLevel, Level.INFO));
    root.addAppender(appender);
  }
}
