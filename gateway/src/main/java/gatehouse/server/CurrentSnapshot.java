package gatehouse.server;

import gatehouse.logging.ThrottledLogs;
import gatehouse.proxy.Occupancy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The snapshot new requests are served with. Every listener and the admin endpoints read it here;
 * replacing it is how a new config takes effect, while requests already started finish on the
 * snapshot they read.
 *
 * <p>A request {@link #enter}s the current snapshot and leaves it when it ends ({@link Lease}). A
 * replaced snapshot is <em>draining</em> until its last request left; then it is drained for good
 * (no request can enter it again) and the {@link #onDrained} listeners run, which close the parts
 * no live snapshot uses any more ({@link #live}).
 */
public final class CurrentSnapshot implements Supplier<Snapshot> {
  private final AtomicReference<Tenure> current;
  private final Set<Tenure> draining = ConcurrentHashMap.newKeySet();
  private final List<Runnable> drainedListeners = new CopyOnWriteArrayList<>();
  private final Occupancy occupancy;
  private final ThrottledLogs failures;

  /** Serves {@code first}; {@code clock} times the windows of the throttled logs ({@link #failures()}). */
  public CurrentSnapshot(Snapshot first, Clock clock) {
    this.current = new AtomicReference<>(new Tenure(first));
    this.occupancy = new Occupancy(clock);
    this.failures = new ThrottledLogs(LoggerFactory.getLogger(GatewayHandler.class), clock);
  }

  /** The snapshot to serve a request with: read once per request. Never null; never blocks. */
  @Override
  public Snapshot get() {
    return current.get().snapshot;
  }

  /**
   * Enters the current snapshot for one request: it stays live until the lease is {@linkplain
   * Lease#close closed}, however often it is replaced meanwhile. Never blocks.
   */
  public Lease enter() {
    while (true) {
      Tenure t = current.get();
      // Fails only when t was replaced and drained since it was read: the next read is newer.
      if (t.enter()) return new Lease(this, t);
    }
  }

  /** The current snapshot and those replaced that still serve a request, current first. */
  public List<Snapshot> live() {
    List<Snapshot> out = new ArrayList<>();
    Tenure now = current.get();
    out.add(now.snapshot);
    for (Tenure t : draining) if (t != now) out.add(t.snapshot);
    return out;
  }

  /** How many requests are in {@code generation}'s snapshot now (0 once drained, or for one never served). */
  public long inFlight(long generation) {
    Tenure now = current.get();
    if (now.snapshot.generation() == generation) return Math.max(0, now.count.get());
    for (Tenure t : draining) if (t.snapshot.generation() == generation) return Math.max(0, t.count.get());
    return 0;
  }

  /**
   * Runs {@code listener} each time a replaced snapshot has drained, on the thread whose request
   * ended last (an event loop: the listener must not block) or the one that replaced it. The
   * result removes the listener.
   */
  public Runnable onDrained(Runnable listener) {
    drainedListeners.add(listener);
    return () -> drainedListeners.remove(listener);
  }

  /** One request's hold on the snapshot it entered. {@link #close} is idempotent. */
  public static final class Lease extends AtomicBoolean implements AutoCloseable {
    private final CurrentSnapshot owner;
    private final Tenure tenure;

    private Lease(CurrentSnapshot owner, Tenure tenure) {
      this.owner = owner;
      this.tenure = tenure;
    }

    public Snapshot snapshot() {
      return tenure.snapshot;
    }

    /** The request ended: leaves the snapshot (the first call only). */
    @Override
    public void close() {
      if (compareAndSet(false, true) && tenure.exit()) owner.drained(tenure);
    }
  }

  /** A snapshot with the count of requests in it: -1 once replaced and drained. */
  private static final class Tenure {
    final Snapshot snapshot;
    final AtomicLong count = new AtomicLong();
    volatile boolean replaced;

    Tenure(Snapshot snapshot) {
      this.snapshot = snapshot;
    }

    boolean enter() {
      long n;
      do {
        n = count.get();
        if (n < 0) return false;
      } while (!count.compareAndSet(n, n + 1));
      return true;
    }

    /** Whether this exit drained a replaced snapshot. */
    boolean exit() {
      return count.decrementAndGet() == 0 && replaced && count.compareAndSet(0, -1);
    }

    /** Marks it replaced; whether it was idle, and is now drained. */
    boolean retire() {
      replaced = true;
      return count.compareAndSet(0, -1);
    }
  }

  private void drained(Tenure t) {
    draining.remove(t);
    for (Runnable l : drainedListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(CurrentSnapshot.class).error("a drained-snapshot listener failed", e);
      }
    }
  }

  /** Requests in flight per route and waiting per upstream, for every listener and every snapshot. */
  public Occupancy occupancy() {
    return occupancy;
  }

  /**
   * Where the listeners log a request that failed inside the gateway (a bug): one line per kind of
   * failure per window, for every listener and every snapshot, so a client that found a way to
   * cause one cannot fill the log.
   */
  ThrottledLogs failures() {
    return failures;
  }

  /**
   * Serves requests that arrive from now on with {@code next}.
   *
   * @throws IllegalArgumentException if {@code next} is not of a later generation than the current
   *     snapshot, which would mean two configs raced to replace it
   */
  public void replace(Snapshot next) {
    Tenure before = current.get();
    Tenure after = new Tenure(next);
    if (next.generation() <= before.snapshot.generation() || !current.compareAndSet(before, after)) {
      throw new IllegalArgumentException("snapshot generation " + next.generation() + " does not follow generation "
          + current.get().snapshot.generation());
    }
    draining.add(before);
    if (before.retire()) drained(before);
  }
}
