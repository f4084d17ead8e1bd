package gatehouse.observe;

import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.proxy.Proxied;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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
 *   <li>{@code gatehouse_dependency_ready{name}}: 1 or 0, one per readiness check
 * </ul>
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Key, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Key, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();

  private record Key(String route, String a, String b) {}

  /** A readiness check to export as a gauge; {@code ready} is asked at every scrape. */
  public void gauge(String name, Supplier<Boolean> ready) {
    Gauge.builder("gatehouse_dependency_ready", () -> ready.get() ? 1 : 0).tag("name", name)
        .description("1 when the dependency is ready").register(registry);
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
        .publishPercentileHistogram().register(registry)).record(elapsedNanos, TimeUnit.NANOSECONDS);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}
