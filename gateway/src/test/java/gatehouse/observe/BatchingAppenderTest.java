package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingAppenderTest {
  private final PrintStream originalErr = System.err;
  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void restore() {
    context.stop();
    System.setErr(originalErr);
  }

  private BatchingAppender appender;

  private Logger logger(OutputStream sink, int maxPending) {
    return logger(sink, maxPending, BatchingAppender.THREAD_BUFFER);
  }

  private Logger logger(OutputStream sink, int maxPending, int maxThreadBytes) {
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setErr(new PrintStream(sink, false, StandardCharsets.UTF_8));
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    appender = new BatchingAppender();
    appender.setContext(context);
    appender.setName("test");
    appender.setEncoder(encoder);
    appender.setMaxPending(maxPending);
    appender.setMaxThreadBytes(maxThreadBytes);
    appender.start();
    Logger logger = context.getLogger("t");
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return logger;
  }

  /** Writes {@code text} as one direct line of the calling thread (the header is empty: only the time precedes it). */
  private void direct(String text) {
    BatchingAppender.Lines line = appender.begin("");
    line.text().setLength(0);
    line.text().append(text);
    line.end();
  }

  @Test
  void directLinesFromEveryThreadAreWrittenWholeAndInTheirThreadsOrderBesideEvents() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Logger logger = logger(sink, 1_000_000, 64 * 1024 * 1024);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread writer = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          direct("d" + thread + " line " + i + " é");
          if (i % 100 == 0) logger.info("e{} line {}", thread, i);
        }
      });
      writer.start();
      threads.add(writer);
    }
    for (Thread t : threads) t.join();
    context.stop();

    String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(80_000 + 800, lines.length);
    int[] next = new int[4];
    int events = 0;
    for (String line : lines) {
      if (line.startsWith("e")) {
        events++;
        continue;
      }
      int thread = line.charAt(1) - '0';
      assertEquals("d" + thread + " line " + next[thread] + " é", line);
      next[thread]++;
    }
    assertEquals(800, events);
  }

  @Test
  void aDirectLineReachesStderrSoonWithoutAStop() throws Exception {
    CountDownLatch written = new CountDownLatch(2);
    OutputStream sink = new OutputStream() {
      @Override
      public synchronized void write(int b) {
        if (b == '\n') written.countDown();
      }
    };
    logger(sink, 100);
    direct("one");
    Thread.sleep(50); // the writer has parked again: the second line must wake it
    direct("two");
    assertTrue(written.await(10, TimeUnit.SECONDS), "the writer wrote both lines while the appender ran");
  }

  @Test
  void aThreadsBufferIsLetGoOnceTheThreadHasEndedAndItsLinesAreWritten() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    logger(sink, 100);
    Thread gone = new Thread(() -> direct("from a thread that ends"));
    gone.start();
    gone.join();
    for (int i = 0; i < 500 && appender.threadBuffers() > 0; i++) Thread.sleep(10);
    assertEquals(0, appender.threadBuffers());
    context.stop();
    assertEquals("from a thread that ends\n", sink.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyLineFromEveryThreadIsWrittenInItsThreadsOrderByStop() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Logger logger = logger(sink, 1_000_000);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread writer = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) logger.info("t{} line {}", thread, i);
      });
      writer.start();
      threads.add(writer);
    }
    for (Thread t : threads) t.join();
    context.stop();

    String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(80_000, lines.length);
    int[] next = new int[4];
    for (String line : lines) {
      int thread = line.charAt(1) - '0';
      assertEquals("t" + thread + " line " + next[thread], line);
      next[thread]++;
    }
  }

  @Test
  void aLineReachesStderrSoonWithoutAStop() throws Exception {
    CountDownLatch written = new CountDownLatch(1);
    OutputStream sink = new OutputStream() {
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        bytes.write(b);
        if (b == '\n') written.countDown();
      }
    };
    logger(sink, 100).info("hello");
    assertTrue(written.await(10, TimeUnit.SECONDS), "the writer wrote the line while the appender ran");
  }

  @Test
  void whenStderrIsStuckLinesBeyondTheBoundAreDroppedAndCountedNotQueued() throws Exception {
    StuckStderr sink = new StuckStderr();
    Logger logger = logger(sink, 10);
    logger.info("first");
    assertTrue(sink.stuck.await(10, TimeUnit.SECONDS));
    // The writer is blocked in write(2): ten lines may wait, the other ninety are dropped at once.
    for (int i = 0; i < 100; i++) logger.info("line {}", i);
    sink.release.countDown();
    context.stop();

    String out = sink.text();
    assertTrue(out.startsWith("first\nline 0\n"), out);
    assertTrue(out.contains("line 9\n"), out);
    assertTrue(!out.contains("line 10\n"), out);
    assertTrue(out.contains("gatehouse: 90 log lines dropped: stderr did not keep up\n"), out);
  }

  @Test
  void whenStderrIsStuckDirectLinesBeyondTheThreadsBoundAreDroppedAndCounted() throws Exception {
    StuckStderr sink = new StuckStderr();
    logger(sink, 10);
    direct("first");
    assertTrue(sink.stuck.await(10, TimeUnit.SECONDS));
    // The writer is blocked in write(2): this thread's 32 KiB hold 256 lines of 128 bytes, the rest are dropped.
    String padding = "x".repeat(128 - "line 000\n".length());
    for (int i = 0; i < 300; i++) direct(String.format("line %03d", i) + padding);
    sink.release.countDown();
    context.stop();

    String out = sink.text();
    assertTrue(out.startsWith("first\nline 000"), out);
    assertTrue(out.contains("line 255" + padding + "\n"), out);
    assertTrue(!out.contains("line 256"), out);
    assertTrue(out.contains("gatehouse: 44 log lines dropped: stderr did not keep up\n"), out);
  }

  /** stderr that blocks every write until {@link #release}, as a full pipe does; {@link #stuck} once a write waits. */
  private static final class StuckStderr extends OutputStream {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch stuck = new CountDownLatch(1);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      stuck.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (bytes) {
        bytes.write(b, off, len);
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
