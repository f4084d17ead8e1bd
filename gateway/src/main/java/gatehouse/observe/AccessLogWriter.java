package gatehouse.observe;

import gatehouse.logging.ThrottledLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Writes finished lines to a {@link Target} from one thread of its own, as Envoy's access-log file
 * does: a caller hands over a line ({@link #write}) and returns; the writer writes what has
 * gathered in 64 KiB writes, when {@link #WAKE_AT} lines wait in one caller's queue or every flush
 * interval, whichever comes first.
 *
 * <p>Each calling thread has a queue of its own ({@link Queue}: single producer, single consumer,
 * no lock), so event loops never contend with one another, lines keep their order per thread, and
 * handing over a line allocates nothing. A queue holds at most {@link #CAPACITY} lines: when the
 * target falls behind, later lines are dropped and counted ({@link #dropped}), and a throttled
 * application-log line says so; a caller never waits. {@link #close} writes everything handed
 * over before it and closes the target; a line handed over after it is dropped.
 */
final class AccessLogWriter implements AutoCloseable {
  /** Lines one thread may have waiting before its new ones are dropped. */
  static final int CAPACITY = 16_384;
  /** Lines waiting in one thread's queue that wake the writer before the interval is up. */
  static final int WAKE_AT = 256;
  private static final int BUFFER = 64 * 1024;

  /** Where lines go: stderr or a file. Called from the writer thread only. */
  interface Target extends AutoCloseable {
    void write(byte[] bytes, int length) throws IOException;

    /** Opens the target again where it has a name (a file moved by logrotate); nothing otherwise. */
    void reopen() throws IOException;

    @Override
    void close() throws IOException;

    /** The process's stderr, as {@link System#err} is when this is called. */
    static Target stderr() {
      return new Stderr(System.err);
    }

    /** {@code file}, appended to, created when missing. */
    static Target file(Path file) throws IOException {
      return new FileTarget(file);
    }
  }

  private final Target target;
  private final long intervalNanos;
  private final List<Queue> queues = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Queue> local = ThreadLocal.withInitial(this::register);
  private final AtomicLong retiredDrops = new AtomicLong();
  private final ThrottledLog dropLog;
  private final byte[] buffer = new byte[BUFFER];
  private final Thread thread;
  private volatile boolean reopen;
  private volatile boolean closing;
  private int size;
  private long reportedDrops;

  AccessLogWriter(Target target, Duration flushInterval, Clock clock) {
    this.target = target;
    this.dropLog = new ThrottledLog(LoggerFactory.getLogger(AccessLogWriter.class), clock);
    this.intervalNanos = flushInterval.toNanos();
    this.thread = new Thread(this::run, "gatehouse-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Hands {@code line} (without its newline) to the writer; drops and counts it when this thread's queue is full. */
  void write(String line) {
    int waiting = local.get().offer(line);
    if (waiting == WAKE_AT) LockSupport.unpark(thread);
  }

  /** Asks the writer to reopen the target after writing what waits; returns at once. */
  void reopen() {
    reopen = true;
    LockSupport.unpark(thread);
  }

  /** Lines dropped so far because the target did not keep up (or handed over after {@link #close}). */
  long dropped() {
    long total = retiredDrops.get();
    for (Queue q : queues) total += q.dropped.get();
    return total;
  }

  /** Writes every line handed over before this call, then closes the target. */
  @Override
  public void close() {
    if (closing) return;
    closing = true;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Queue register() {
    Queue q = new Queue(Thread.currentThread());
    queues.add(q);
    return q;
  }

  private void run() {
    while (!closing) {
      LockSupport.parkNanos(this, intervalNanos);
      drain();
      if (reopen) {
        reopen = false;
        try {
          target.reopen();
        } catch (IOException | RuntimeException e) {
          dropLog.error("access log: cannot reopen: {}", e.toString());
        }
      }
      reportDrops();
    }
    drain();
    for (Queue q : queues) q.closed = true;
    drain();
    reportDrops();
    try {
      target.close();
    } catch (IOException e) {
      dropLog.error("access log: cannot close: {}", e.toString());
    }
  }

  /** Writes every waiting line, 64 KiB at a time. */
  private void drain() {
    for (Queue q : queues) {
      boolean any = q.drainTo(this);
      if (!any && !q.owner.isAlive()) {
        queues.remove(q);
        retiredDrops.addAndGet(q.dropped.get());
      }
    }
    writeBuffer();
  }

  private void append(String line) {
    int length = line.length();
    if (size + length + 1 > BUFFER) writeBuffer();
    boolean ascii = length + 1 <= BUFFER;
    for (int i = 0; i < length && ascii; i++) ascii = line.charAt(i) < 0x80;
    if (ascii) {
      for (int i = 0; i < length; i++) buffer[size + i] = (byte) line.charAt(i);
      size += length;
      buffer[size++] = '\n';
      return;
    }
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (size + bytes.length > BUFFER) writeBuffer();
    if (bytes.length > BUFFER) {
      write(bytes, bytes.length);
    } else {
      System.arraycopy(bytes, 0, buffer, size, bytes.length);
      size += bytes.length;
    }
  }

  private void writeBuffer() {
    if (size == 0) return;
    write(buffer, size);
    size = 0;
  }

  private void write(byte[] bytes, int length) {
    try {
      target.write(bytes, length);
    } catch (IOException | RuntimeException e) {
      dropLog.error("access log: cannot write: {}", e.toString());
    }
  }

  private void reportDrops() {
    long total = dropped();
    if (total > reportedDrops) {
      dropLog.warn("access log: {} lines dropped in all so far: the target did not keep up", total);
      reportedDrops = total;
    }
  }

  /**
   * One thread's lines: a ring written by its owner and read by the writer. The owner publishes a
   * line by a release store of {@code tail}, the writer frees a slot by a release store of {@code
   * head}; each index has one writer, so neither needs a lock or a compare-and-set.
   */
  private static final class Queue {
    private final Thread owner;
    private final String[] slots = new String[CAPACITY];
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    Queue(Thread owner) {
      this.owner = owner;
    }

    /** Lines waiting after this one was added, or 0 when it was dropped. */
    int offer(String line) {
      long t = tail.getPlain();
      long waiting = t - head.getAcquire();
      if (waiting >= CAPACITY || closed) {
        dropped.setRelease(dropped.getPlain() + 1);
        return 0;
      }
      slots[(int) (t & (CAPACITY - 1))] = line;
      tail.setRelease(t + 1);
      return (int) waiting + 1;
    }

    /** Moves every waiting line into the writer's buffer; false if there was none. */
    boolean drainTo(AccessLogWriter writer) {
      long h = head.getPlain();
      long t = tail.getAcquire();
      if (h == t) return false;
      for (; h < t; h++) {
        int i = (int) (h & (CAPACITY - 1));
        writer.append(slots[i]);
        slots[i] = null;
        head.setRelease(h + 1);
      }
      return true;
    }
  }

  /** Stderr, flushed after each write; left open at close. */
  private static final class Stderr implements Target {
    private final PrintStream out;

    Stderr(PrintStream out) {
      this.out = out;
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
      out.write(bytes, 0, length);
      out.flush();
      if (out.checkError()) throw new IOException("stderr is closed or failing");
    }

    @Override
    public void reopen() {
      // stderr has no name to open again.
    }

    @Override
    public void close() {
      out.flush();
    }
  }

  /** A file appended to; {@link #reopen} opens the path again, for a file moved away by logrotate. */
  private static final class FileTarget implements Target {
    private final Path file;
    private FileOutputStream out;

    FileTarget(Path file) throws IOException {
      this.file = file;
      this.out = new FileOutputStream(file.toFile(), true);
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
      out.write(bytes, 0, length);
    }

    @Override
    public void reopen() throws IOException {
      FileOutputStream fresh = new FileOutputStream(file.toFile(), true);
      out.close();
      out = fresh;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
