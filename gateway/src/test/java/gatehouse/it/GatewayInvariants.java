package gatehouse.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import gatehouse.testing.RealTime;
import gatehouse.testing.UpstreamRecorder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Checked after every end-to-end test, whatever the test asserted (Caffeine's validation
 * listener, for a gateway): no client-supplied reserved header reached the upstream (tests mark
 * spoofed values with {@code SPOOF}), and no secret a test registered appears in any log line,
 * debug included, or in any access-log line. Every gateway of the end-to-end tests writes its
 * access log to {@link #ACCESS_LOG} ({@link #ACCESS_LOG_YAML} in its config), which is read from
 * where it ended when a test began.
 */
final class GatewayInvariants implements BeforeEachCallback, AfterEachCallback {
  static final String SPOOF = "SPOOF";
  static final Path ACCESS_LOG = accessLogFile();
  private static final Duration FLUSH = Duration.ofMillis(5);
  /** The top-level config of every end-to-end gateway: its access log, where the invariants read it. */
  static final String ACCESS_LOG_YAML = "access_log: {target: \"" + ACCESS_LOG + "\", flush_interval: " + FLUSH.toMillis() + "ms}";
  private static final String ACCESS_HEADER = " INFO  gatehouse.access ";

  private final Supplier<UpstreamRecorder> upstream;
  private final List<String> secrets = new CopyOnWriteArrayList<>();
  private final Captured captured = new Captured();
  private final List<ch.qos.logback.core.Appender<ILoggingEvent>> rootAppenders = new ArrayList<>();
  private Logger gatehouseLogger;
  private Level previousLevel;
  private Logger rootLogger;
  private Level previousRootLevel;
  private int requestsBefore;
  private long accessLogStart;

  GatewayInvariants(Supplier<UpstreamRecorder> upstream) {
    this.upstream = upstream;
  }

  /** {@code secret} must never appear in a log line. Returns it, for inline use. */
  String secret(String secret) {
    secrets.add(secret);
    return secret;
  }

  /** Waits up to 10 s for a captured log line that {@code matches}: access lines follow the reply. */
  String awaitLogLine(java.util.function.Predicate<String> matches) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (captured) {
      while (true) {
        for (String line : logLines()) if (matches.test(line)) return line;
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("no such log line among " + logLines());
        try {
          // Access lines arrive in a file, not as events: look again after a flush interval.
          captured.wait(Math.max(1, Math.min(FLUSH.toMillis(), left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /** The log lines captured during the current test: application log, then access log (each line after its logger's name). */
  List<String> logLines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : captured.snapshot()) {
      lines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()));
    }
    for (String line : accessLines()) {
      int header = line.indexOf(ACCESS_HEADER);
      lines.add(header < 0 ? line : line.substring(header + ACCESS_HEADER.length()));
    }
    return lines;
  }

  /** Whole lines appended to {@link #ACCESS_LOG} since the test began. */
  private List<String> accessLines() {
    if (!Files.exists(ACCESS_LOG)) return List.of();
    try (RandomAccessFile file = new RandomAccessFile(ACCESS_LOG.toFile(), "r")) {
      long length = file.length();
      if (length <= accessLogStart) return List.of();
      byte[] bytes = new byte[(int) (length - accessLogStart)];
      file.seek(accessLogStart);
      file.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path accessLogFile() {
    try {
      Path dir = Files.createTempDirectory("gatehouse-access");
      dir.toFile().deleteOnExit();
      Path file = dir.resolve("access.log");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    begin(Level.DEBUG, false);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    end();
  }

  /**
   * Starts capturing: the {@code gatehouse} loggers at {@code level}, and with {@code root} every
   * other logger too (Vert.x, Netty, the JDBC pool), the root logger at {@code level} and its own
   * appenders set aside. For a caller outside JUnit Jupiter's life cycle (a jqwik property).
   */
  void begin(Level level, boolean root) {
    gatehouseLogger = (Logger) LoggerFactory.getLogger("gatehouse");
    previousLevel = gatehouseLogger.getLevel();
    gatehouseLogger.setLevel(level);
    gatehouseLogger.setAdditive(false);
    captured.clear();
    captured.start();
    gatehouseLogger.addAppender(captured);
    if (root) {
      rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      previousRootLevel = rootLogger.getLevel();
      rootAppenders.clear();
      rootLogger.iteratorForAppenders().forEachRemaining(rootAppenders::add);
      rootAppenders.forEach(rootLogger::detachAppender);
      rootLogger.setLevel(level);
      rootLogger.addAppender(captured);
    }
    requestsBefore = upstream.get().requests().size();
    accessLogStart = ACCESS_LOG.toFile().length();
  }

  /** Stops capturing and checks the invariants over what was captured since {@link #begin}. */
  void end() {
    // The lines of the test's last requests may still wait for the writer's next flush.
    RealTime.pause(FLUSH.multipliedBy(4));
    gatehouseLogger.detachAppender(captured);
    gatehouseLogger.setLevel(previousLevel);
    gatehouseLogger.setAdditive(true);
    if (rootLogger != null) {
      rootLogger.detachAppender(captured);
      rootAppenders.forEach(rootLogger::addAppender);
      rootLogger.setLevel(previousRootLevel);
      rootLogger = null;
    }
    for (String line : logLines()) {
      for (String secret : secrets) {
        if (line.contains(secret)) {
          secrets.clear();
          throw new AssertionError("a secret reached the log: " + line.replace(secret, "<secret>"));
        }
      }
    }
    secrets.clear();
    List<UpstreamRecorder.Recorded> seen = upstream.get().requests();
    for (UpstreamRecorder.Recorded r : seen.subList(requestsBefore, seen.size())) {
      for (var header : r.headers()) {
        if (header.getValue().toUpperCase(Locale.ROOT).contains(SPOOF)) {
          throw new AssertionError("a client-supplied header reached the upstream: " + header.getKey() + " on " + r.target());
        }
      }
      Set<String> names = Set.copyOf(r.headerNames().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
      if (names.contains("authorization") && !r.target().contains("public") && !r.target().equals("/health")) {
        throw new AssertionError("Authorization reached the upstream of a protected route: " + r.target());
      }
    }
  }

  /** An appender that wakes {@link #awaitLogLine} waiters. */
  private static final class Captured extends ch.qos.logback.core.AppenderBase<ILoggingEvent> {
    private final List<ILoggingEvent> events = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
      notifyAll();
    }

    synchronized List<ILoggingEvent> snapshot() {
      return List.copyOf(events);
    }

    synchronized void clear() {
      events.clear();
    }
  }
}
