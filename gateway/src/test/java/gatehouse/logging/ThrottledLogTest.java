package gatehouse.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {
  private static final Pattern MORE = Pattern.compile("\\((\\d+) more from (\\S+) to (\\S+), not logged\\)$");

  private static final class Capture implements AutoCloseable {
    final Logger logger = (Logger) LoggerFactory.getLogger("gatehouse.logging.ThrottledLogTest." + System.nanoTime());
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    final MutableClock clock = MutableClock.start();
    final List<Instant> times = new java.util.ArrayList<>();

    Capture() {
      appender.start();
      logger.addAppender(appender);
    }

    List<String> lines() {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aThousandFailuresInOneWindowAreOneLineAndTheirCountGoesOutWithTheNext() {
    try (Capture c = new Capture()) {
      ThrottledLog log = new ThrottledLog(c.logger, c.clock);
      for (int i = 0; i < 1000; i++) {
        log.error("introspection:{} cannot verify token {}: answered HTTP 503", "corp", i);
        c.clock.advance(Duration.ofMillis(5));
      }
      assertEquals(List.of("introspection:corp cannot verify token 0: answered HTTP 503"), c.lines());
      c.clock.advance(Duration.ofSeconds(10));
      log.error("introspection:{} circuit breaker OPEN", "corp");
      assertEquals("introspection:corp circuit breaker OPEN (999 more from 2030-01-01T00:00:00Z to 2030-01-01T00:00:10Z, not logged)",
          c.lines().get(1));
      assertEquals(2, c.lines().size());
    }
  }

  @Test
  void aThrowableIsKeptAndLevelsAreKept() {
    try (Capture c = new Capture()) {
      ThrottledLog log = new ThrottledLog(c.logger, c.clock);
      log.warn("bug in {}", "x", new IllegalStateException("boom"));
      assertEquals("bug in x", c.lines().get(0));
      assertEquals(ch.qos.logback.classic.Level.WARN, c.appender.list.get(0).getLevel());
      assertEquals("boom", c.appender.list.get(0).getThrowableProxy().getMessage());
    }
  }

  /**
   * Whatever the arrival times: written lines are at least one window apart, every event is
   * written, counted in a later line, or still pending, and each reported window is the one that
   * began with the previous written line.
   */
  @Property(tries = 300)
  void requestVolumeNeverSetsLogVolume(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 4000) Integer> gapsMs) {
    try (Capture c = new Capture()) {
      ThrottledLog log = new ThrottledLog(c.logger, c.clock);
      for (int gap : gapsMs) {
        c.clock.advance(Duration.ofMillis(gap));
        log.error("e");
        if (c.appender.list.size() > c.times.size()) c.times.add(c.clock.instant());
      }
      for (int i = 1; i < c.times.size(); i++) {
        assertTrue(!c.times.get(i).isBefore(c.times.get(i - 1).plusSeconds(10)), "lines closer than the window: " + c.times);
      }
      long counted = 0;
      List<String> lines = c.lines();
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = MORE.matcher(lines.get(i));
        if (m.find()) {
          counted += Long.parseLong(m.group(1));
          assertEquals(c.times.get(i - 1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), m.group(2));
        }
      }
      assertEquals(gapsMs.size(), lines.size() + counted + log.pending());
      assertEquals(counted, log.reported());
      long windows = gapsMs.stream().mapToLong(Integer::longValue).sum() / 10_000 + 1;
      assertTrue(lines.size() <= windows, lines.size() + " lines for " + windows + " windows");
    }
  }
}
