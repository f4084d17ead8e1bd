package gatehouse.server;

import gatehouse.logging.ThrottledLogs;
import gatehouse.proxy.Occupancy;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The snapshot new requests are served with. Every listener and the admin endpoints read it here;
 * replacing it is how a new config takes effect, while requests already started finish on the
 * snapshot they read.
 */
public final class CurrentSnapshot implements Supplier<Snapshot> {
  private final AtomicReference<Snapshot> current;
  private final Occupancy occupancy;
  private final ThrottledLogs failures;

  /** Serves {@code first}; {@code clock} times the windows of the throttled logs ({@link #failures()}). */
  public CurrentSnapshot(Snapshot first, Clock clock) {
    this.current = new AtomicReference<>(first);
    this.occupancy = new Occupancy(clock);
    this.failures = new ThrottledLogs(LoggerFactory.getLogger(GatewayHandler.class), clock);
  }

  /** The snapshot to serve a request with: read once per request. Never null; never blocks. */
  @Override
  public Snapshot get() {
    return current.get();
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
    Snapshot before = current.get();
    if (next.generation() <= before.generation() || !current.compareAndSet(before, next)) {
      throw new IllegalArgumentException("snapshot generation " + next.generation() + " does not follow generation "
          + current.get().generation());
    }
  }
}
