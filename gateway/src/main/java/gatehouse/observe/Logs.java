package gatehouse.observe;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The process's logging, as the command line needs it at exit. */
public final class Logs {
  private Logs() {}

  /**
   * Writes every queued application-log line and stops logging: Logback's {@code AsyncAppender}
   * writes from its own thread, so a process that exits without this could lose the last lines.
   */
  public static void flushAndStop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}
