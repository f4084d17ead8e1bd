package gatehouse.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads an upstream's {@code breaker} mapping into a {@link BreakerConfig}. */
final class BreakerReader {
  private static final Map<String, BreakerConfig.Scope> SCOPES = new LinkedHashMap<>();

  static {
    SCOPES.put("route", BreakerConfig.Scope.ROUTE);
    SCOPES.put("upstream", BreakerConfig.Scope.UPSTREAM);
  }

  static final Shape.Obj SHAPE = Shape.obj("A circuit breaker on requests to this upstream; breaker: {} takes every default.",
      Shape.key("consecutive_failures", Shape.whole(1, 1_000_000), "Upstream failures in a row that open the breaker. Default 5."),
      Shape.key("open_for", Shape.positiveSpan(), "How long an open breaker answers 503 before one probe is sent. Default 10s."),
      Shape.key("max_open_for", Shape.positiveSpan(), "The longest period the doubling reaches; at least open_for. Default 5m."),
      Shape.key("per", Shape.choice(SCOPES.keySet()), "One breaker per route of this upstream, or one for the upstream. Default route."));

  private BreakerReader() {}

  /** Empty when the upstream has no {@code breaker} (no breaker) or it has problems (reported). */
  static Optional<BreakerConfig> read(Fields upstream) {
    Optional<Fields> f = upstream.fields("breaker", SHAPE);
    if (f.isEmpty()) return Optional.empty();
    int failures = f.get().integer("consecutive_failures", 1, 1_000_000).orElse(BreakerConfig.DEFAULT_FAILURES);
    Duration openFor = f.get().duration("open_for", true).orElse(BreakerConfig.DEFAULT_OPEN_FOR);
    Duration maxOpenFor = f.get().duration("max_open_for", true).orElse(
        openFor.compareTo(BreakerConfig.DEFAULT_MAX_OPEN_FOR) > 0 ? openFor : BreakerConfig.DEFAULT_MAX_OPEN_FOR);
    BreakerConfig.Scope per = f.get().choice("per", SCOPES).orElse(BreakerConfig.Scope.ROUTE);
    if (maxOpenFor.compareTo(openFor) < 0) {
      f.get().reader.problems.add(f.get().node("max_open_for").orElseThrow(), f.get().pathOf("max_open_for"),
          "must be at least open_for (" + openFor.toMillis() + "ms)");
      return Optional.empty();
    }
    return Optional.of(new BreakerConfig(failures, openFor, maxOpenFor, per));
  }
}
