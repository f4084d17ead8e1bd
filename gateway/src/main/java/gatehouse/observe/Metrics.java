package gatehouse.observe;

import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.proxy.Proxied;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Request metrics in the Prometheus text format, served by the admin listener's {@code /metrics}.
 * Recorded from the same {@link Outcome} value as the access log. Meters are looked up once per
 * (route, outcome, status) and cached: a request costs a map lookup and two increments.
 *
 * <ul>
 *   <li>{@code gatehouse_requests_total{route, outcome, status}}: outcome is {@code forwarded},
 *       {@code rejected}, {@code upstream_failed} or {@code aborted}
 *   <li>{@code gatehouse_request_duration_seconds{route}}: gateway latency, request head to the
 *       end of the exchange
 *   <li>{@code gatehouse_rejections_total{route, error}}: by stable error code
 *   <li>{@code gatehouse_dependency_ready{name}}: 1 or 0, one per readiness check: whether the
 *       dependency answers now ({@link gatehouse.server.Readiness#up}), which can be 0 while the
 *       gateway is still ready
 * </ul>
 *
 * <p>Providers bind their own families through {@link #bind} (JWKS fetches, introspection calls,
 * breakers, caches), read at scrape time; the constructor binds the JVM and process families. The
 * docs/operations.md lists every family, and a test holds it to the scrape.
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * With Micrometer's JVM and process families: memory by area and pool, buffer pools (Netty's
   * direct memory), GC pauses, threads, classes, CPU, open file descriptors, uptime; plus {@code
   * process_resident_memory_bytes} where {@code /proc/self/status} exists, so resident memory that
   * grows while the heap does not can be told from a heap filling up.
   */
  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    ResidentMemory.bindTo(registry);
  }
  private final Map<Key, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Key, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();

  private record Key(String route, String a, String b) {}

  /**
   * Histogram buckets of {@code gatehouse_request_duration_seconds}, from 100 µs (a cached token
   * through the gateway) to 30 s (a slow upstream). Micrometer's default percentile histogram has
   * 69 buckets per route starting at 1 ms, which cannot tell a 0.2 ms request from a 0.9 ms one.
   */
  static final Duration[] LATENCY_BUCKETS = Stream.of(
      "PT0.0001S", "PT0.00025S", "PT0.0005S", "PT0.001S", "PT0.0025S", "PT0.005S", "PT0.01S", "PT0.025S",
      "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S", "PT2.5S", "PT5S", "PT10S", "PT30S")
      .map(Duration::parse).toArray(Duration[]::new);

  /** A dependency to export as a gauge; {@code up} is asked at every scrape. */
  public void gauge(String name, Supplier<Boolean> up) {
    Gauge.builder("gatehouse_dependency_ready", () -> up.get() ? 1 : 0).tag("name", name)
        .description("1 when the dependency answers now (JWKS fetches succeed, breaker closed, key store reachable)").register(registry);
  }

  /**
   * Removes the meters named {@code prefix}... tagged {@code tag=value}: those of a part a reload
   * retired, so the part that replaces it under the same name registers its own.
   */
  public void forget(String prefix, String tag, String value) {
    for (io.micrometer.core.instrument.Meter m : List.copyOf(registry.getMeters())) {
      if (m.getId().getName().startsWith(prefix) && value.equals(m.getId().getTag(tag))) registry.remove(m);
    }
  }

  /** Registers {@code binder}'s meters (a provider's, or a JVM binder) in this registry. */
  public void bind(io.micrometer.core.instrument.binder.MeterBinder binder) {
    binder.bindTo(registry);
  }

  /** Counts one decided request. Called once per request, after the exchange ended. */
  public void record(Outcome outcome, java.util.Optional<Proxied> proxied, long elapsedNanos) {
    String route = outcome.matchedRoute().map(r -> r.id()).orElse("-");
    String kind;
    int status;
    if (outcome instanceof Outcome.Reject r) {
      ErrorResponses.Reply reply = ErrorResponses.of(r.rejection());
      kind = "rejected";
      status = reply.status();
      rejections.computeIfAbsent(new Key(route, reply.code(), ""), k -> Counter.builder("gatehouse_rejections")
          .tag("route", k.route()).tag("error", k.a()).register(registry)).increment();
    } else if (outcome instanceof Outcome.Forward) {
      Proxied p = proxied.orElseThrow(() -> new IllegalStateException("a forwarded request is recorded after the proxy answered"));
      if (p instanceof Proxied.Responded responded) {
        kind = "forwarded";
        status = responded.status();
      } else if (p instanceof Proxied.Failed failed) {
        kind = "upstream_failed";
        status = ErrorResponses.of(failed.rejection()).status();
      } else if (p instanceof Proxied.Aborted) {
        kind = "aborted";
        status = 0;
      } else {
        throw new AssertionError("unknown proxied " + p);
      }
    } else {
      throw new AssertionError("unknown outcome " + outcome);
    }
    requests.computeIfAbsent(new Key(route, kind, Integer.toString(status)), k -> Counter.builder("gatehouse_requests")
        .tag("route", k.route()).tag("outcome", k.a()).tag("status", k.b()).register(registry)).increment();
    latency.computeIfAbsent(route, r -> Timer.builder("gatehouse_request_duration").tag("route", r)
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry)).record(elapsedNanos, TimeUnit.NANOSECONDS);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops listening for GC notifications; the gateway calls it when it closes. */
  @Override
  public void close() {
    gc.close();
  }
}
