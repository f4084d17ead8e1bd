package gatehouse.proxy;

import gatehouse.config.BreakerConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.pipeline.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's circuit breakers on the proxy path, one per route of an upstream with a {@code
 * breaker} (or one per upstream with {@code per: upstream}), shared by every event loop and every
 * config snapshot. A breaker whose config changes on reload starts again closed.
 *
 * <p>Only failures that are the upstream's fault count, as Envoy's {@code
 * consecutive_gateway_failure}: unreachable (refused, unresolvable, TLS handshake failed), a
 * connect or the response headers not in time, connection reset, an answer of 502, 503 or 504. A
 * 500 or a 4xx is the application's answer to that request and counts as a success. A client that
 * went away, a request the gateway refused ({@code upstream_busy} included) and one that timed out
 * waiting behind busy pooled connections ({@link Rejection.GatewayTimeout#queued()}) count as
 * nothing: the upstream never saw them, and slow clients or one hung route can cause them, so no
 * client can open a breaker for the others. Envoy draws the same line: a pool overflow is never
 * reported to outlier detection, and a request timeout only for a request that reached a host. A
 * {@code route_busy} refusal never reaches the breaker.
 *
 * <p>Metrics (bound through {@link MeterBinder}, per breaker, tags {@code upstream} and {@code
 * route}, {@code *} for a whole upstream): {@code gatehouse_upstream_breaker_state} (0 closed, 1
 * open, 2 half-open), {@code gatehouse_upstream_breaker_opens_total} and {@code
 * gatehouse_upstream_breaker_short_circuited_total}. One log line per change of state.
 */
public final class Breakers implements MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(Breakers.class);
  /** The route tag of a breaker for a whole upstream. */
  static final String WHOLE_UPSTREAM = "*";

  private record Key(String upstream, String route) {}

  /** A breaker and its counters; replaced as a whole when the config changes. */
  private record Entry(Breaker breaker, Counter shortCircuited) {}

  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  /** Where meters go: the process's once {@link #bindTo} was called, else a registry nobody reads. */
  private volatile MeterRegistry registry = new SimpleMeterRegistry();

  public Breakers(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Runs {@code forward} unless {@code upstream}'s breaker for {@code route} is open: then completes
   * at once with {@link Proxied.Failed} of {@link Rejection.UpstreamUnavailable}, and nothing is
   * sent. Without a {@code breaker} on the upstream, just runs {@code forward}.
   */
  public Future<Proxied> guard(UpstreamConfig upstream, String route, Supplier<Future<Proxied>> forward) {
    if (upstream.breaker().isEmpty()) return forward.get();
    Entry entry = entry(upstream.name(), upstream.breaker().get(), route);
    Breaker.Admission admission = entry.breaker().admit();
    if (admission instanceof Breaker.Refused refused) {
      entry.shortCircuited().increment();
      return Future.succeededFuture(new Proxied.Failed(new Rejection.UpstreamUnavailable(upstream.name(), refused.retryAfter())));
    }
    Breaker.Pass pass = (Breaker.Pass) admission;
    return forward.get().andThen(ar -> entry.breaker().done(pass, ar.succeeded() ? verdict(ar.result()) : Breaker.Verdict.NEUTRAL));
  }

  /** What {@code proxied} says about the upstream. */
  static Breaker.Verdict verdict(Proxied proxied) {
    if (proxied instanceof Proxied.Responded r) {
      int status = r.status();
      return status == 502 || status == 503 || status == 504 ? Breaker.Verdict.FAILURE : Breaker.Verdict.SUCCESS;
    }
    if (proxied instanceof Proxied.Failed f) {
      Rejection rejection = f.rejection();
      // Waiting behind busy connections is the gateway's queue, which clients can fill, not the
      // upstream's fault (Envoy ignores pool overflow for outlier detection, envoyproxy/envoy#25487).
      if (rejection instanceof Rejection.GatewayTimeout t) return t.queued() ? Breaker.Verdict.NEUTRAL : Breaker.Verdict.FAILURE;
      // BadGateway comes only from UpstreamFailures: unreachable, reset, TLS, an interim response.
      if (rejection instanceof Rejection.BadGateway) return Breaker.Verdict.FAILURE;
      // upstream_busy: the gateway's own bound (max_pending) refused it; the upstream never saw it.
      if (rejection instanceof Rejection.Busy) return Breaker.Verdict.NEUTRAL;
      return Breaker.Verdict.NEUTRAL;
    }
    if (proxied instanceof Proxied.Aborted) return Breaker.Verdict.NEUTRAL;
    throw new AssertionError("unknown proxied " + proxied);
  }

  /** The breaker's state, for tests and the gauge; closed when it was never used. */
  Breaker.State state(String upstream, String route) {
    Entry entry = entries.get(new Key(upstream, route));
    return entry == null ? Breaker.State.CLOSED : entry.breaker().state();
  }

  private Entry entry(String upstream, BreakerConfig config, String route) {
    Key key = new Key(upstream, config.per() == BreakerConfig.Scope.UPSTREAM ? WHOLE_UPSTREAM : route);
    Entry entry = entries.get(key);
    if (entry != null && entry.breaker().config.equals(config)) return entry;
    return entries.compute(key, (k, old) -> old != null && old.breaker().config.equals(config) ? old : create(k, config));
  }

  private Entry create(Key key, BreakerConfig config) {
    MeterRegistry meters = registry;
    Counter opens = Counter.builder("gatehouse_upstream_breaker_opens")
        .description("times the breaker opened (a failed probe included)")
        .tag("upstream", key.upstream()).tag("route", key.route()).register(meters);
    Counter shortCircuited = Counter.builder("gatehouse_upstream_breaker_short_circuited")
        .description("requests answered 503 upstream_unavailable because the breaker was open")
        .tag("upstream", key.upstream()).tag("route", key.route()).register(meters);
    Breaker breaker = new Breaker(config, clock, (from, to, openFor) -> {
      if (to == Breaker.State.OPEN) opens.increment();
      log.warn("breaker of upstream '{}' route '{}' {} -> {}{}", key.upstream(), key.route(), name(from), name(to),
          to == Breaker.State.OPEN ? " for " + openFor.toMillis() + "ms" : "");
    });
    Gauge.builder("gatehouse_upstream_breaker_state", this, b -> b.state(key.upstream(), key.route()).ordinal())
        .description("0 closed, 1 open, 2 half-open")
        .tag("upstream", key.upstream()).tag("route", key.route()).register(meters);
    return new Entry(breaker, shortCircuited);
  }

  private static String name(Breaker.State state) {
    return state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
