package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LineEncoderTest {
  private static final long T = Instant.parse("2026-11-29T01:25:49.998Z").toEpochMilli();
  private final LoggerContext context = new LoggerContext();
  private final LineEncoder encoder = new LineEncoder();

  private String encode(String logger, Level level, String message, Throwable thrown, Object... args) {
    LoggingEvent event = new LoggingEvent("fqcn", context.getLogger(logger), level, message, thrown, args);
    event.setTimeStamp(T);
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void aLineIsTimeLevelLoggerAndMessageAsThePatternWouldWriteIt() {
    assertEquals("2026-11-29T01:25:49.998Z INFO  gatehouse.access a=1 b=2\n", encode("gatehouse.access", Level.INFO, "a={} b={}", null, 1, 2));
    assertEquals("2026-11-29T01:25:49.998Z WARN  gatehouse.Gatehouse x\n", encode("gatehouse.Gatehouse", Level.WARN, "x", null));
    assertEquals("2026-11-29T01:25:49.998Z ERROR c.z.h.HikariDataSource y\n", encode("com.zaxxer.hikari.HikariDataSource", Level.ERROR, "y", null));
  }

  @Test
  void aLogTextArgumentWritesItselfIntoTheLine() {
    LogText text = new LogText() {
      @Override
      public void appendTo(StringBuilder out) {
        out.append("written in place");
      }

      // Differs from appendTo only so the test can tell which path built the line.
      @Override
      public String toString() {
        return "formatted by toString";
      }
    };
    assertEquals("2026-11-29T01:25:49.998Z INFO  gatehouse.access written in place\n", encode("gatehouse.access", Level.INFO, "{}", null, text));
    assertEquals("2026-11-29T01:25:49.998Z INFO  gatehouse.access [formatted by toString]\n", encode("gatehouse.access", Level.INFO, "[{}]", null, text));
  }

  @Test
  void aStackTraceFollowsTheLine() {
    String out = encode("gatehouse.Gatehouse", Level.ERROR, "failed", new IllegalStateException("boom"));
    assertTrue(out.startsWith("2026-11-29T01:25:49.998Z ERROR gatehouse.Gatehouse failed\njava.lang.IllegalStateException: boom\n"), out);
    assertTrue(out.contains("\tat gatehouse.observe.LineEncoderTest"), out);
    assertTrue(out.endsWith("\n"), out);
  }
}
