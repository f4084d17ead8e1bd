package gatehouse.observe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** An access-log target the test owns: what was written, in memory; optionally held at its first write until released. */
final class CapturedTarget implements AccessLogWriter.Target {
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final CountDownLatch release;
  private volatile boolean closed;

  CapturedTarget() {
    this(new CountDownLatch(0));
  }

  /** A target whose writes wait until {@code release} is counted down: a stalled stderr. */
  CapturedTarget(CountDownLatch release) {
    this.release = release;
  }

  @Override
  public void write(byte[] bytes, int length) throws java.io.IOException {
    try {
      release.await();
    } catch (InterruptedException e) {
      throw new java.io.InterruptedIOException();
    }
    synchronized (written) {
      written.write(bytes, 0, length);
    }
  }

  @Override
  public void reopen() {
    // Nothing to reopen in memory.
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean closed() {
    return closed;
  }

  String text() {
    synchronized (written) {
      return written.toString(StandardCharsets.UTF_8);
    }
  }

  List<String> lines() {
    String text = text();
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }
}
