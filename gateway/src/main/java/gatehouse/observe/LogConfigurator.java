package gatehouse.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The gateway's application log, configured in code (found by Logback through {@code
 * META-INF/services}): Logback's {@link AsyncAppender} over a {@link ConsoleAppender} to stderr,
 * lines as {@link #PATTERN} spells them; Netty and Vert.x at {@code WARN}; the root at {@code
 * GATEHOUSE_LOG_LEVEL} (default {@code INFO}). The async appender never blocks the logging thread:
 * with {@link #QUEUE} events waiting, new ones are dropped. In code rather than in a {@code
 * logback.xml}, because reading that file (an XML parser, then Joran's reflection over the
 * appenders' setters) ran on the main thread at every start. The access log is not written here
 * ({@link AccessLog}).
 *
 * <p>A {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on the class path (the
 * tests') still takes over: this configurator then leaves the choice to Logback's own.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String APPENDER = "ASYNC";
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger{20} %msg%n";
  static final int QUEUE = 8192;

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
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDERR");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    AsyncAppender appender = new AsyncAppender();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setQueueSize(QUEUE);
    appender.setDiscardingThreshold(0);
    appender.setNeverBlock(true);
    appender.addAppender(console);
    appender.start();
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(rootLevel, Level.INFO));
    root.addAppender(appender);
  }
}
