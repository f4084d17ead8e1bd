package gatehouse.proxy;

import gatehouse.logging.ThrottledLogs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * How busy each route and upstream is, for the whole process: one instance shared by every event
 * loop, so a route's {@code max_concurrent} holds whichever loop a connection landed on. Counts
 * are keyed by name and outlive a config reload; a request counts against the limit its snapshot's
 * route had when it started. As Envoy's {@code circuit_breakers.max_requests}, but per route: a
 * request beyond the limit is refused at once, not queued.
 *
 * <p>Meters, registered when a route or upstream is first counted:
 * {@code gatehouse_route_in_flight{route}} (routes with {@code max_concurrent} only),
 * {@code gatehouse_upstream_waiting{upstream}} (requests queued for a pooled connection beyond
 * {@code max_connections}, all event loops together) and {@code gatehouse_upstream_busy_total{upstream}}
 * (requests refused with {@code upstream_busy}).
 */
public final class Occupancy implements MeterBinder {

  /** How long a refused client is asked to wait: an in-flight request usually ends within a second. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final ConcurrentHashMap<String, AtomicInteger> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> busy = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private final ThrottledLogs upstreamLog;

  /** Counts for a process whose clock is the system's; see {@link #Occupancy(Clock)}. */
  public Occupancy() {
    this(Clock.systemUTC());
  }

  /** {@code clock} times the windows of {@link #upstreamLog()}. */
  public Occupancy(Clock clock) {
    this.upstreamLog = new ThrottledLogs(LoggerFactory.getLogger(Upstreams.class), clock);
  }

  /**
   * Where a failure that every request to an upstream may repeat (its TLS handshake) is logged,
   * keyed by upstream: one line per upstream and kind per window for all event loops together, so
   * clients sending requests to it cannot fill the log (issue 20, section 3).
   */
  ThrottledLogs upstreamLog() {
    return upstreamLog;
  }

  /** A taken slot; {@link #release} gives it back, once, however often it is called. */
  public static final class Slot {
    private static final Slot UNCOUNTED = new Slot(null);
    private final AtomicInteger count;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(AtomicInteger count) {
      this.count = count;
    }

    public void release() {
      if (count != null && released.compareAndSet(false, true)) count.decrementAndGet();
    }
  }

  /**
   * A slot on {@code route}, or empty when {@code max} are already in flight there. Without a
   * limit nothing is counted. The caller releases the slot when the exchange ends, whatever the
   * ending (responded, failed, client gone, timed out).
   */
  public Optional<Slot> take(String route, Optional<Integer> max) {
    if (max.isEmpty()) return Optional.of(Slot.UNCOUNTED);
    AtomicInteger count = routes.computeIfAbsent(route, r -> gauge("gatehouse_route_in_flight", "route", r,
        "requests in flight on a route with max_concurrent"));
    int limit = max.get();
    while (true) {
      int now = count.get();
      if (now >= limit) return Optional.empty();
      if (count.compareAndSet(now, now + 1)) return Optional.of(new Slot(count));
    }
  }

  /** Requests in flight on {@code route} now; 0 for a route without a limit. */
  public int inFlight(String route) {
    AtomicInteger count = routes.get(route);
    return count == null ? 0 : count.get();
  }

  /** The count of requests queued for a connection to {@code upstream}; the callers add and remove. */
  AtomicInteger waiting(String upstream) {
    return waiting.computeIfAbsent(upstream, u -> gauge("gatehouse_upstream_waiting", "upstream", u,
        "requests queued for a pooled connection to the upstream beyond max_connections"));
  }

  /** Counts one request refused because {@code upstream}'s pool and its queue were full. */
  void busy(String upstream) {
    MeterRegistry r = registry;
    if (r == null) return;
    busy.computeIfAbsent(upstream, u -> Counter.builder("gatehouse_upstream_busy").tag("upstream", u)
        .description("requests refused with upstream_busy: every pooled connection busy and max_pending waiting")
        .register(r)).increment();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
  }

  private AtomicInteger gauge(String name, String tag, String value, String description) {
    AtomicInteger count = new AtomicInteger();
    MeterRegistry r = registry;
    if (r != null) {
      Gauge.builder(name, count, AtomicInteger::get).tag(tag, value).description(description).strongReference(true).register(r);
    }
    return count;
  }
}
