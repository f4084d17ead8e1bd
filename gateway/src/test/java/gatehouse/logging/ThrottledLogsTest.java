package gatehouse.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogsTest {
  private static final class Capture implements AutoCloseable {
    final Logger logger = (Logger) LoggerFactory.getLogger("gatehouse.logging.ThrottledLogsTest." + System.nanoTime());
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    final MutableClock clock = MutableClock.start();

    Capture() {
      appender.start();
      logger.addAppender(appender);
    }

    List<ILoggingEvent> events() {
      return List.copyOf(appender.list);
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
    }
  }

  /** A failure of kind {@code k}: one exception class per kind would do, a throw site per kind is what differs in practice. */
  private static Throwable failure(int k) {
    return switch (k % 3) {
      case 0 -> new IllegalStateException("state " + k);
      case 1 -> new IllegalArgumentException("argument " + k);
      default -> new ArithmeticException("arithmetic " + k);
    };
  }

  /**
   * However many requests fail inside one window, and in whatever order their kinds come, the log
   * gets one line per kind: the count of lines depends on the kinds, never on the requests.
   */
  @Property(tries = 200)
  void oneLinePerKindPerWindowWhateverTheNumberOfFailures(
      @ForAll @Size(min = 1, max = 500) List<@IntRange(min = 0, max = 5) Integer> sites,
      @ForAll @IntRange(min = 0, max = 9_999) int spreadMillis) {
    try (Capture c = new Capture()) {
      ThrottledLogs log = new ThrottledLogs(c.logger, c.clock);
      Set<String> kinds = new HashSet<>();
      for (int i = 0; i < sites.size(); i++) {
        int site = sites.get(i);
        Throwable t = failure(site);
        kinds.add(ThrottledLogs.kindOf("site" + site, t));
        log.error("site" + site, "request {} failed", i, t);
        c.clock.advance(Duration.ofMillis(spreadMillis / sites.size()));
      }
      assertEquals(kinds.size(), c.events().size(), () -> c.events().toString());
    }
  }

  /** Past the window a kind writes again, with the count of what it held back, and without the stack trace a second time. */
  @Test
  void aKindWritesItsStackTraceOnceAndLaterLinesCarryTheCount() {
    try (Capture c = new Capture()) {
      ThrottledLogs log = new ThrottledLogs(c.logger, c.clock);
      for (int i = 0; i < 1000; i++) log.error("pipeline", "request {} failed inside the pipeline", "r" + i, boom());
      c.clock.advance(Duration.ofSeconds(11));
      log.error("pipeline", "request {} failed inside the pipeline", "r1000", boom());
      List<ILoggingEvent> events = c.events();
      assertEquals(2, events.size());
      assertEquals("request r0 failed inside the pipeline", events.get(0).getFormattedMessage());
      assertNotNull(events.get(0).getThrowableProxy(), "the first line of a kind carries its stack trace");
      assertEquals("request r1000 failed inside the pipeline (java.lang.IllegalStateException: boom; stack trace in the line of "
          + "2030-01-01T00:00:00Z) (999 more from 2030-01-01T00:00:00Z to 2030-01-01T00:00:10Z, not logged)",
          events.get(1).getFormattedMessage());
      assertNull(events.get(1).getThrowableProxy(), "the stack trace is written once");
    }
  }

  /** The same failure each time: thrown from one place, as a bug is. */
  private static IllegalStateException boom() {
    return new IllegalStateException("boom");
  }

  /** Two failures at one site thrown from different places are two kinds: a new bug is not hidden behind an old one. */
  @Test
  void differentFailuresAtOneSiteAreNotHiddenBehindEachOther() {
    try (Capture c = new Capture()) {
      ThrottledLogs log = new ThrottledLogs(c.logger, c.clock);
      for (int i = 0; i < 100; i++) {
        log.error("proxy", "request {} failed inside the proxy", i, new IllegalStateException("a"));
        log.error("proxy", "request {} failed inside the proxy", i, new NullPointerException());
      }
      assertEquals(List.of("request 0 failed inside the proxy", "request 0 failed inside the proxy"),
          c.events().stream().map(ILoggingEvent::getFormattedMessage).toList());
    }
  }

  /** Kinds are bounded: a flood of distinct kinds shares one window past {@link ThrottledLogs#MAX_KINDS}. */
  @Test
  void theKindsKeptApartAreBounded() {
    try (Capture c = new Capture()) {
      ThrottledLogs log = new ThrottledLogs(c.logger, c.clock);
      for (int i = 0; i < 10_000; i++) log.warn("upstream-" + i, "upstream '{}': TLS handshake failed", i);
      assertEquals(ThrottledLogs.MAX_KINDS + 1, c.events().size());
      assertTrue(c.events().stream().allMatch(e -> e.getThrowableProxy() == null));
    }
  }
}
