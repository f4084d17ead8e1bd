package gatehouse.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * INFO lines of one logger written straight into the {@link BatchingAppender}'s buffer of the
 * calling thread, around Logback: no {@code LoggingEvent}, no appender loop, no queue node. The
 * access log writes one line per request this way; Logback's path cost the event loops several
 * microseconds per request on a 2-core machine.
 *
 * <p>Found only where the result is byte for byte what Logback would write: the logger's lines go
 * to exactly one appender, a {@link BatchingAppender} with the {@link LineEncoder}, with no filter
 * on the appender and no turbo filter in the context. Any other configuration (a custom
 * {@code logback.xml} with a file appender, a pattern, a filter) keeps Logback's path.
 */
final class DirectLines {
  private final Logger logger;
  private final BatchingAppender appender;
  private final String header;

  private DirectLines(Logger logger, BatchingAppender appender) {
    this.logger = logger;
    this.appender = appender;
    this.header = LineEncoder.appendHeader(new StringBuilder(), Level.INFO, LineEncoder.abbreviate(logger.getName())).toString();
  }

  /** The direct path for {@code logger}, when its configuration allows one. */
  static Optional<DirectLines> of(org.slf4j.Logger logger) {
    if (!(logger instanceof Logger l)) return Optional.empty();
    LoggerContext context = l.getLoggerContext();
    if (!context.getTurboFilterList().isEmpty()) return Optional.empty();
    List<Appender<?>> appenders = appenders(l);
    if (appenders.size() != 1 || !(appenders.get(0) instanceof BatchingAppender batching)) return Optional.empty();
    if (!batching.encodesLines() || !batching.getCopyOfAttachedFiltersList().isEmpty()) return Optional.empty();
    return Optional.of(new DirectLines(l, batching));
  }

  /** Every appender an event of {@code logger} reaches, as Logback walks them (up while additive). */
  private static List<Appender<?>> appenders(Logger logger) {
    List<Appender<?>> found = new ArrayList<>();
    for (Logger l = logger; l != null; l = parent(l)) {
      for (Iterator<? extends Appender<?>> it = l.iteratorForAppenders(); it.hasNext(); ) found.add(it.next());
      if (!l.isAdditive()) break;
    }
    return found;
  }

  private static Logger parent(Logger logger) {
    String name = logger.getName();
    if (Logger.ROOT_LOGGER_NAME.equals(name)) return null;
    int dot = name.lastIndexOf('.');
    return logger.getLoggerContext().getLogger(dot < 0 ? Logger.ROOT_LOGGER_NAME : name.substring(0, dot));
  }

  /**
   * The calling thread's line, begun with time, level and logger; null when the logger is not at
   * INFO or the appender has stopped (Logback was reconfigured): the caller then logs through SLF4J.
   * Append the message to {@link BatchingAppender.Lines#text}, then call {@link BatchingAppender.Lines#end}.
   */
  BatchingAppender.Lines begin() {
    if (!logger.isInfoEnabled() || !appender.isStarted()) return null;
    return appender.begin(header);
  }
}
