package gatehouse.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to stderr from one writer thread, many lines per write. The calling thread (an
 * event loop, for the access log) only queues the event, without a lock; the writer formats,
 * encodes and writes it. A synchronous console appender cost every request a write(2), a lock
 * shared by all event loops and the formatting: 12–15% of the gateway's throughput in an A/B run.
 *
 * <p>While lines arrive, the writer writes what has queued, then lingers {@link #LINGER_NANOS}
 * so the next write carries many lines; when the queue is empty it parks until the next line. So a
 * line reaches stderr within about a millisecond. When more than {@code maxPending} lines wait
 * (stderr blocked), new lines are dropped and counted, and the count is written once stderr moves
 * again: the event loops never wait for the log. {@link #stop} writes everything queued.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int MAX_WRITE = 64 * 1024;

  private final Queue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean parked = new AtomicBoolean();
  private Encoder<ILoggingEvent> encoder;
  private int maxPending = 100_000;
  private PrintStream out;
  private volatile boolean stopping;
  private Thread writer;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /** Lines that may wait for the writer before new ones are dropped (default 100,000). */
  public void setMaxPending(int maxPending) {
    this.maxPending = maxPending;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    // Looked up now, not at class load: a test harness may have replaced System.err.
    out = System.err;
    stopping = false;
    writer = new Thread(this::drainLoop, "gatehouse-log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    // As logback's AsyncAppender does, fix what depends on the calling thread now; the message is
    // formatted and encoded on the writer thread, off the event loop.
    event.getThreadName();
    event.getMDCPropertyMap();
    queue.offer(event);
    if (parked.get() && parked.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) return;
    super.stop();
    stopping = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeQueued(new ByteArrayOutputStream(MAX_WRITE));
  }

  private void drainLoop() {
    ByteArrayOutputStream batch = new ByteArrayOutputStream(MAX_WRITE);
    while (!stopping) {
      if (writeQueued(batch)) {
        LockSupport.parkNanos(LINGER_NANOS);
        continue;
      }
      parked.set(true);
      // A line queued between the empty drain and the flag would otherwise wait for the next one.
      if (queue.isEmpty() && !stopping) {
        LockSupport.park(this);
      }
      parked.set(false);
    }
  }

  /** Writes every queued line, at most {@link #MAX_WRITE} bytes per write; false if there was none. */
  private synchronized boolean writeQueued(ByteArrayOutputStream batch) {
    boolean wrote = false;
    ILoggingEvent event;
    while ((event = queue.poll()) != null) {
      pending.decrementAndGet();
      byte[] line = encode(event);
      if (batch.size() > 0 && batch.size() + line.length > MAX_WRITE) {
        flush(batch);
      }
      batch.write(line, 0, line.length);
      wrote = true;
    }
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      byte[] note = ("gatehouse: " + lost + " log lines dropped: stderr did not keep up\n").getBytes(StandardCharsets.UTF_8);
      batch.write(note, 0, note.length);
      wrote = true;
    }
    if (batch.size() > 0) flush(batch);
    return wrote;
  }

  private byte[] encode(ILoggingEvent event) {
    try {
      return encoder.encode(event);
    } catch (RuntimeException e) {
      // A message whose formatting throws loses its line, not the writer thread.
      addError("cannot encode a log line", e);
      return new byte[0];
    }
  }

  private void flush(ByteArrayOutputStream batch) {
    try {
      batch.writeTo(out);
      out.flush();
    } catch (IOException e) {
      addError("cannot write to stderr", e);
    }
    batch.reset();
  }
}
