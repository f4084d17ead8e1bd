package gatehouse.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * Gatehouse's log line: {@code 2026-11-29T01:25:49.998Z INFO  gatehouse.access id=...}, the
 * same as the pattern {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger{20} %msg%n}
 * followed by any stack trace, built in one buffer. The pattern layout copies each line several
 * times (message formatting, each converter, padding) and formats the time for every line; this
 * formats it once per millisecond and lets an access-log entry write itself into the line
 * ({@link LogText}). It is the default encoder of {@link BatchingAppender}; any logback encoder
 * may replace it in a custom logback.xml.
 */
public final class LineEncoder extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] NONE = new byte[0];

  private final Map<String, String> loggerNames = new HashMap<>();
  private final StringBuilder line = new StringBuilder(512);
  private final LineTime time = new LineTime();

  /**
   * The time at the start of a line, {@code 2026-11-29T01:25:49.998Z}, formatted once per
   * millisecond. Not thread-safe: one per thread that builds lines.
   */
  static final class LineTime {
    private long millis = Long.MIN_VALUE;
    private String text = "";

    String at(long epochMillis) {
      if (epochMillis != millis) {
        text = TIME.format(Instant.ofEpochMilli(epochMillis));
        millis = epochMillis;
      }
      return text;
    }
  }

  /** Appends what follows the time and a space: {@code "INFO  gatehouse.access "}. */
  static StringBuilder appendHeader(StringBuilder out, Level level, String abbreviatedLogger) {
    String name = level.toString();
    out.append(name);
    for (int i = name.length(); i < 5; i++) out.append(' ');
    return out.append(' ').append(abbreviatedLogger).append(' ');
  }

  /** {@code logger} as lines spell it, at most about 20 characters ({@code c.z.h.HikariDataSource}). */
  static String abbreviate(String logger) {
    return new TargetLengthBasedClassNameAbbreviator(20).abbreviate(logger);
  }

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  /** Synchronized only for appenders that encode from many threads; {@link BatchingAppender} uses one. */
  @Override
  public synchronized byte[] encode(ILoggingEvent event) {
    StringBuilder out = line;
    out.setLength(0);
    out.append(time.at(event.getTimeStamp())).append(' ');
    appendHeader(out, event.getLevel(), loggerNames.computeIfAbsent(event.getLoggerName(), LineEncoder::abbreviate));
    Object[] args = event.getArgumentArray();
    if (args != null && args.length == 1 && args[0] instanceof LogText text && "{}".equals(event.getMessage())) {
      text.appendTo(out);
    } else {
      out.append(event.getFormattedMessage());
    }
    out.append('\n');
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      out.append(ThrowableProxyUtil.asString(thrown));
      if (out.charAt(out.length() - 1) != '\n') out.append('\n');
    }
    byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
    if (out.capacity() > 64 * 1024) {
      // One huge line (a long stack trace) must not keep its buffer for good.
      out.setLength(0);
      out.trimToSize();
    }
    return bytes;
  }
}
