package gatehouse.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap every request body read whole before an upstream connection is taken may hold together
 * ({@code limits.buffer_body_total}), shared by the process's event loops and kept across reloads.
 * Bytes are taken as they arrive, so a request that has sent none holds none; one whose next
 * chunk does not fit is refused with 503 {@code bodies_busy}. Streaming it instead would have it
 * hold an upstream connection while its client sends slowly, which is what buffering prevents (an
 * HTTP/2 stream flood then took the upstream's pool from the other clients: 68% of them served).
 *
 * <p>Why: each buffered body is held in the heap until it is whole, and a client may take up to
 * {@code body_timeout} to send it. 1,000 connections, each sending all but the last byte of a 65 KB
 * body, held 85 MB of heap (the launcher's heap is 120 MiB), and larger heads on top would have run
 * it out.
 */
public final class BufferBudget {
  /** No bound: for a gateway built without one (tests that do not exercise it). */
  public static final BufferBudget UNBOUNDED = new BufferBudget(Long.MAX_VALUE);

  private final AtomicLong left;

  public BufferBudget(long total) {
    if (total < 0) throw new IllegalArgumentException("total must be >= 0 but was " + total);
    this.left = new AtomicLong(total);
  }

  /** Takes {@code bytes} from the budget if that many are left; whether it did. */
  boolean reserve(long bytes) {
    long now;
    do {
      now = left.get();
      if (now < bytes) return false;
    } while (!left.compareAndSet(now, now - bytes));
    return true;
  }

  /** Gives back what {@link #reserve} took. */
  void release(long bytes) {
    left.addAndGet(bytes);
  }
}
