package gatehouse.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads an upstream's {@code breaker} mapping into a {@link BreakerConfig}. */
final class BreakerReader {
  static final List<String> KEYS = List.of("consecutive_failures", "open_for", "max_open_for", "per");

  private static final Map<String, BreakerConfig.Scope> SCOPES = new LinkedHashMap<>();

  static {
    SCOPES.put("route", BreakerConfig.Scope.ROUTE);
    SCOPES.put("upstream", BreakerConfig.Scope.UPSTREAM);
  }

  private BreakerReader() {}

  /** Empty when the upstream has no {@code breaker} (no breaker) or it has problems (reported). */
  static Optional<BreakerConfig> read(Fields upstream) {
    Optional<Fields> f = upstream.fields("breaker", KEYS);
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
