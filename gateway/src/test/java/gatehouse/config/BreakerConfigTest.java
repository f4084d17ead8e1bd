package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BreakerConfigTest {

  private static String upstream(String breaker) {
    return """
        upstreams:
          orders:
            url: "http://127.0.0.1:9000"
        """ + breaker + """
        routes:
          - {match: {prefix: /}, upstream: orders}
        """;
  }

  @Test
  void anUpstreamHasNoBreakerUnlessItAsksForOne() throws ConfigException {
    assertEquals(Optional.empty(), parse(TestConfigs.MINIMAL).upstreams().get("orders").breaker());
  }

  @Test
  void anEmptyBreakerTakesTheDefaults() throws ConfigException {
    assertEquals(Optional.of(new BreakerConfig(5, Duration.ofSeconds(10), Duration.ofMinutes(5), BreakerConfig.Scope.ROUTE)),
        parse(upstream("    breaker: {}\n")).upstreams().get("orders").breaker());
  }

  @Test
  void everyKeyIsReadAsWritten() throws ConfigException {
    assertEquals(Optional.of(new BreakerConfig(3, Duration.ofMillis(1500), Duration.ofSeconds(40), BreakerConfig.Scope.UPSTREAM)),
        parse(upstream("    breaker: {consecutive_failures: 3, open_for: 1500ms, max_open_for: 40s, per: upstream}\n"))
            .upstreams().get("orders").breaker());
    assertEquals(Duration.ofMinutes(10), parse(upstream("    breaker: {open_for: 10m}\n")).upstreams().get("orders")
        .breaker().orElseThrow().maxOpenFor(), "max_open_for defaults to open_for when that is longer than 5m");
  }

  @Test
  void mistakesNameFileLineAndKey() {
    assertEquals(List.of("gatehouse.yaml:4: upstreams.orders.breaker.open_fr: unknown key 'open_fr' (did you mean 'open_for'?)"),
        problems(upstream("    breaker: {open_fr: 10s}\n")));
    assertEquals(List.of("gatehouse.yaml:4: upstreams.orders.breaker.per: expected route or upstream, got 'host'"),
        problems(upstream("    breaker: {per: host}\n")));
    assertEquals(List.of("gatehouse.yaml:5: upstreams.orders.breaker.max_open_for: must be at least open_for (30000ms)"),
        problems(upstream("    breaker:\n      max_open_for: 10s\n      open_for: 30s\n")));
    assertEquals(1, problems(upstream("    breaker: {consecutive_failures: 0}\n")).size());
    assertEquals(1, problems(upstream("    breaker: {open_for: 0s}\n")).size());
  }
}
