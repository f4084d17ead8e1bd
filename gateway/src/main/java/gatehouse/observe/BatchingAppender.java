package gatehouse.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to stderr from one writer thread, many lines per write. A synchronous console
 * appender cost every request a write(2), a lock shared by all event loops and the formatting:
 * 12–15% of the gateway's throughput in an A/B run.
 *
 * <p>Lines come two ways. Logback events (every logger) are queued without a lock and formatted,
 * encoded and written by the writer. The access log, one line per request, goes around Logback
 * ({@link DirectLines}): the event loop writes the finished line into a buffer of its own thread
 * ({@link Lines}), with no event object, no shared queue and no atomic counter per line, and the
 * writer takes each thread's buffer whole.
 *
 * <p>While lines arrive, the writer writes what has gathered, then lingers {@link #LINGER_NANOS}
 * so the next write carries many lines; when there is nothing it parks until the next line. So a
 * line reaches stderr within about a millisecond. When stderr blocks, at most {@code maxPending}
 * events and {@code maxThreadBytes} of lines per thread wait; beyond that new lines are dropped and
 * counted, and the count is written once stderr moves again: the event loops never wait for the
 * log. {@link #stop} writes everything gathered.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int MAX_WRITE = 64 * 1024;
  /** A thread's line buffer as it starts and as the writer gives it back (a few ms of lines). */
  static final int THREAD_BUFFER = 32 * 1024;

  private final Queue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean parked = new AtomicBoolean();
  private Encoder<ILoggingEvent> encoder;
  private final List<Lines> threads = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Lines> local = ThreadLocal.withInitial(this::register);
  private int maxPending = 100_000;
  private int maxThreadBytes = 8 * 1024 * 1024;
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

  /** Bytes of direct lines one thread may have waiting before its new ones are dropped (default 8 MiB). */
  public void setMaxThreadBytes(int maxThreadBytes) {
    this.maxThreadBytes = Math.max(THREAD_BUFFER, maxThreadBytes);
  }

  /** Whether this appender writes events as {@link LineEncoder} spells them (a direct line is spelled so). */
  boolean encodesLines() {
    return encoder instanceof LineEncoder;
  }

  /**
   * The calling thread's buffer, its text emptied and started with the time and {@code header}
   * ({@link LineEncoder#appendHeader}); the caller appends the message, then calls {@link Lines#end}.
   */
  Lines begin(String header) {
    Lines lines = local.get();
    lines.start(header);
    return lines;
  }

  /** Threads whose direct lines this appender keeps a buffer for; for tests. */
  int threadBuffers() {
    return threads.size();
  }

  private Lines register() {
    Lines lines = new Lines(Thread.currentThread());
    threads.add(lines);
    return lines;
  }

  private void wakeWriter() {
    if (parked.get() && parked.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
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
    wakeWriter();
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
      if (queue.isEmpty() && threadsEmpty() && !stopping) {
        LockSupport.park(this);
      }
      parked.set(false);
    }
  }

  /** Writes every queued event and every thread's lines, at most {@link #MAX_WRITE} bytes per write; false if there was none. */
  private synchronized boolean writeQueued(ByteArrayOutputStream batch) {
    boolean wrote = false;
    ILoggingEvent event;
    while ((event = queue.poll()) != null) {
      pending.decrementAndGet();
      byte[] line = encode(event);
      add(batch, line, line.length);
      wrote = true;
    }
    for (Lines lines : threads) {
      wrote |= lines.takeInto(batch);
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

  private boolean threadsEmpty() {
    for (Lines lines : threads) {
      if (!lines.isEmpty()) return false;
    }
    return true;
  }

  private void add(ByteArrayOutputStream batch, byte[] bytes, int length) {
    if (batch.size() > 0 && batch.size() + length > MAX_WRITE) {
      flush(batch);
    }
    if (length > MAX_WRITE) {
      // A thread's lines gathered during a stall: written as they are, so the batch stays small.
      write(bytes, length);
    } else {
      batch.write(bytes, 0, length);
    }
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

  private void write(byte[] bytes, int length) {
    out.write(bytes, 0, length);
    out.flush();
  }

  /**
   * One thread's direct lines: its text builder (touched by that thread only) and the bytes of its
   * finished lines (guarded by this object's monitor, which the writer takes for as long as it
   * takes to swap the array; an uncontended lock costs the event loop a CAS). The writer gives the
   * array back once written, so a steady thread allocates nothing; one grown by a stall is let go.
   */
  final class Lines {
    private final Thread owner;
    private final StringBuilder text = new StringBuilder(512);
    private final LineEncoder.LineTime time = new LineEncoder.LineTime();
    private byte[] bytes = new byte[THREAD_BUFFER];
    private byte[] spare = new byte[THREAD_BUFFER];
    private int size;

    private Lines(Thread owner) {
      this.owner = owner;
    }

    /** The line being built: time and header written; append the message. */
    StringBuilder text() {
      return text;
    }

    private void start(String header) {
      text.setLength(0);
      text.append(time.at(System.currentTimeMillis())).append(' ').append(header);
    }

    /** Ends the line begun by {@link BatchingAppender#begin} and hands it to the writer. */
    void end() {
      StringBuilder line = text.append('\n');
      int length = line.length();
      boolean ascii = true;
      for (int i = 0; i < length && ascii; i++) ascii = line.charAt(i) < 0x80;
      byte[] encoded = ascii ? null : line.toString().getBytes(StandardCharsets.UTF_8);
      if (copy(line, encoded, ascii ? length : encoded.length)) {
        wakeWriter();
      } else {
        dropped.incrementAndGet();
      }
      if (text.capacity() > 64 * 1024) {
        // One huge line must not keep its buffer for good.
        text.setLength(0);
        text.trimToSize();
      }
    }

    /** Appends the line ({@code encoded}, or {@code line} when ASCII); false when it does not fit. */
    private synchronized boolean copy(StringBuilder line, byte[] encoded, int needed) {
      if (size + needed > bytes.length) {
        int grown = Math.max(bytes.length * 2, size + needed);
        if (grown > maxThreadBytes) return false;
        bytes = Arrays.copyOf(bytes, grown);
      }
      if (encoded == null) {
        for (int i = 0; i < needed; i++) bytes[size + i] = (byte) line.charAt(i);
      } else {
        System.arraycopy(encoded, 0, bytes, size, needed);
      }
      size += needed;
      return true;
    }

    private synchronized boolean isEmpty() {
      return size == 0;
    }

    /** Moves this thread's finished lines into {@code batch} (writing it out as it fills); false if none. */
    private boolean takeInto(ByteArrayOutputStream batch) {
      byte[] taken;
      int length;
      synchronized (this) {
        length = size;
        if (length == 0) {
          if (!owner.isAlive()) threads.remove(this);
          return false;
        }
        taken = bytes;
        bytes = spare != null ? spare : new byte[THREAD_BUFFER];
        spare = null;
        size = 0;
      }
      add(batch, taken, length);
      if (taken.length == THREAD_BUFFER) {
        synchronized (this) {
          spare = taken;
        }
      }
      return true;
    }
  }
}
