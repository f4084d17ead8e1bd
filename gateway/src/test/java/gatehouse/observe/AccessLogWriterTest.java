package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.AccessLogConfig;
import gatehouse.testing.RealTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
  @TempDir
  Path dir;

  @Test
  void everyLineIsWrittenExactlyOnceAndInOrderPerThread() throws Exception {
    CapturedTarget target = new CapturedTarget();
    AccessLogWriter writer = new AccessLogWriter(target, Duration.ofMillis(1), Clock.systemUTC());
    int threads = 4;
    // Fewer than a thread's queue holds, so none may be dropped however slow the writer is.
    int perThread = AccessLogWriter.CAPACITY - 1;
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        for (int n = 0; n < perThread; n++) writer.write("t" + id + " n" + n + (n % 97 == 0 ? " \u00e9" : ""));
      });
      thread.start();
      started.add(thread);
    }
    for (Thread t : started) t.join();
    writer.close();
    Map<String, Integer> next = new HashMap<>();
    List<String> lines = target.lines();
    for (String line : lines) {
      String[] parts = line.split(" ");
      int n = Integer.parseInt(parts[1].substring(1));
      assertEquals(next.getOrDefault(parts[0], 0), n, "order of " + parts[0]);
      next.put(parts[0], n + 1);
    }
    assertEquals(threads * perThread, lines.size());
    assertEquals(0, writer.dropped());
    assertTrue(target.closed());
  }

  @Test
  void closeWritesWhatWaitsWithoutWaitingForTheInterval() {
    CapturedTarget target = new CapturedTarget();
    AccessLogWriter writer = new AccessLogWriter(target, Duration.ofSeconds(10), Clock.systemUTC());
    writer.write("one");
    writer.write("two");
    long start = System.nanoTime();
    writer.close();
    assertEquals(List.of("one", "two"), target.lines());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
  }

  @Test
  void aLineWaitsAtMostAboutTheFlushInterval() {
    CapturedTarget target = new CapturedTarget();
    AccessLogWriter writer = new AccessLogWriter(target, Duration.ofMillis(20), Clock.systemUTC());
    try {
      writer.write("soon");
      await(() -> target.lines().equals(List.of("soon")), Duration.ofSeconds(5));
    } finally {
      writer.close();
    }
  }

  /** A stalled target: the callers go on at once, lines past a thread's queue are dropped and counted. */
  @Test
  void whenTheTargetStallsLinesAreDroppedAndCountedAndCallersNeverWait() {
    CountDownLatch release = new CountDownLatch(1);
    CapturedTarget target = new CapturedTarget(release);
    AccessLogWriter writer = new AccessLogWriter(target, Duration.ofMillis(1), Clock.systemUTC());
    int total = AccessLogWriter.CAPACITY * 3;
    for (int n = 0; n < total; n++) writer.write("line " + n);
    // Every write returned while the target was still stalled.
    assertTrue(writer.dropped() >= AccessLogWriter.CAPACITY, "dropped " + writer.dropped());
    release.countDown();
    writer.close();
    assertEquals(total, target.lines().size() + writer.dropped());
  }

  @Test
  void afterTheFileIsMovedAReopenWritesToANewFileAtThePath() throws Exception {
    Path file = dir.resolve("access.log");
    Path moved = dir.resolve("access.log.1");
    AccessLogWriter writer = new AccessLogWriter(AccessLogWriter.Target.file(file), Duration.ofMillis(5), Clock.systemUTC());
    try {
      writer.write("before");
      await(() -> read(file).equals("before\n"), Duration.ofSeconds(5));
      Files.move(file, moved);
      writer.write("still before");
      writer.reopen();
      await(() -> Files.exists(file), Duration.ofSeconds(5));
      writer.write("after");
    } finally {
      writer.close();
    }
    assertEquals("before\nstill before\n", read(moved));
    assertEquals("after\n", read(file));
  }

  /** The wiring logrotate uses: a real SIGUSR1 to this JVM reopens the file of an access log opened from config. */
  @Test
  void sigusr1ReopensTheFile() throws Exception {
    Path file = dir.resolve("signal.log");
    Path moved = dir.resolve("signal.log.1");
    AccessLog log = AccessLog.open(new AccessLogConfig(Optional.of(file), AccessLogConfig.Format.LOGFMT, Duration.ofMillis(5)),
        Optional.empty(), Clock.systemUTC());
    try {
      await(() -> Files.exists(file), Duration.ofSeconds(5));
      Files.move(file, moved);
      Process kill = new ProcessBuilder("kill", "-" + ReopenSignal.NAME, Long.toString(ProcessHandle.current().pid())).inheritIO().start();
      assertEquals(0, kill.waitFor());
      await(() -> Files.exists(file), Duration.ofSeconds(5));
    } finally {
      log.close();
    }
  }

  @Test
  void theJvmsExitWritesWhatWaits() throws Exception {
    Path file = dir.resolve("exit.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), AccessLogAtExit.class.getName(),
        file.toString(), "1000").inheritIO().start();
    assertEquals(0, p.waitFor());
    List<String> lines = Files.readAllLines(file);
    assertEquals(1000, lines.size());
    for (int i = 0; i < lines.size(); i++) assertEquals(Integer.toString(i), new io.vertx.core.json.JsonObject(lines.get(i)).getString("id"));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit);
      RealTime.pause(Duration.ofMillis(2));
    }
  }
}
