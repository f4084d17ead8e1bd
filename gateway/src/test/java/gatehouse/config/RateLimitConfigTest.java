package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.RateLimitConfig.By;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code rate_limits} (top level and per route) and {@code failed_auth_limit}: what is read, and each refusal with its line. */
class RateLimitConfigTest {
  private static final String UPSTREAMS = """
      upstreams:
        orders: {url: "http://127.0.0.1:9000"}
      """;

  @Test
  void topLevelRouteAndFailedAuthLimitsAreReadInTheOrderWritten() throws Exception {
    GatehouseConfig c = parse(UPSTREAMS + """
        rate_limits:
          - {by: global, requests: 10000, per: 1s}
          - {by: address, requests: 100, per: 10s}
        failed_auth_limit: {requests: 20, per: 1m}
        routes:
          - id: orders
            match: {prefix: /orders/}
            upstream: orders
            policy: any
            rate_limits:
              - {by: subject, requests: 600, per: 1m}
              - {by: key, requests: 60, per: 1m}
              - {by: route, requests: 1000, per: 1s}
          - {id: rest, match: {prefix: /}, upstream: orders, policy: public}
        """);
    assertEquals(new RateLimitsConfig(List.of(new RateLimitConfig(By.GLOBAL, 10_000, Duration.ofSeconds(1)),
            new RateLimitConfig(By.ADDRESS, 100, Duration.ofSeconds(10))),
        Optional.of(new RateLimitConfig(By.ADDRESS, 20, Duration.ofMinutes(1)))), c.rateLimits());
    assertEquals(List.of(new RateLimitConfig(By.SUBJECT, 600, Duration.ofMinutes(1)), new RateLimitConfig(By.KEY, 60, Duration.ofMinutes(1)),
        new RateLimitConfig(By.ROUTE, 1000, Duration.ofSeconds(1))), c.routes().get(0).rateLimits());
    assertEquals(List.of(), c.routes().get(1).rateLimits());
  }

  @Test
  void addressLimitsCountIpv6ClientsBySlash64UnlessTheyNameAnotherPrefix() throws Exception {
    GatehouseConfig c = parse(UPSTREAMS + """
        rate_limits:
          - {by: address, requests: 100, per: 10s}
          - {by: address, requests: 1000, per: 10s, ipv6_prefix: 48}
        failed_auth_limit: {requests: 20, per: 1m, ipv6_prefix: 128}
        routes:
          - {match: {prefix: /}, upstream: orders}
        """);
    assertEquals(new RateLimitsConfig(List.of(new RateLimitConfig(By.ADDRESS, 100, Duration.ofSeconds(10), 64),
            new RateLimitConfig(By.ADDRESS, 1000, Duration.ofSeconds(10), 48)),
        Optional.of(new RateLimitConfig(By.ADDRESS, 20, Duration.ofMinutes(1), 128))), c.rateLimits());
  }

  @Test
  void anIpv6PrefixOutsideItsRangeOrOnALimitNotByAddressIsRefusedWithItsLine() {
    assertEquals(List.of(
        "gatehouse.yaml:4: rate_limits[0].ipv6_prefix: must be between 32 and 128, got '16'",
        "gatehouse.yaml:5: rate_limits[1].ipv6_prefix: expected a whole number, got '/64'",
        "gatehouse.yaml:6: rate_limits[2].ipv6_prefix: only a limit by address counts clients by network; this one counts by global",
        "gatehouse.yaml:8: rate_limits[4]: the same limit as rate_limits[3]: it would count every request twice",
        "gatehouse.yaml:10: failed_auth_limit.ipv6_prefix: must be between 32 and 128, got '129'"),
        problems(UPSTREAMS + """
            rate_limits:
              - {by: address, requests: 10, per: 1s, ipv6_prefix: 16}
              - {by: address, requests: 10, per: 1s, ipv6_prefix: /64}
              - {by: global, requests: 10, per: 1s, ipv6_prefix: 64}
              - {by: address, requests: 5, per: 1s}
              - {by: address, requests: 5, per: 1s, ipv6_prefix: 56}
            failed_auth_limit:
              {requests: 5, per: 1m, ipv6_prefix: 129}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void withoutTheKeysThereAreNoConfiguredLimits() throws Exception {
    assertEquals(RateLimitsConfig.NONE, parse(TestConfigs.MINIMAL).rateLimits());
  }

  @Test
  void recordsAreImmutable() throws Exception {
    GatehouseConfig c = parse(UPSTREAMS + """
        rate_limits: [{by: global, requests: 1, per: 1s}]
        routes:
          - {match: {prefix: /}, upstream: orders, rate_limits: [{by: route, requests: 1, per: 1s}]}
        """);
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> c.rateLimits().everyRoute().clear());
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> c.routes().get(0).rateLimits().clear());
  }

  @Test
  void unknownKeysAndValuesAreNamedWithTheirLines() {
    assertEquals(List.of(
        "gatehouse.yaml:4: rate_limits[0].by: expected global, route, address, subject or key, got 'user'",
        "gatehouse.yaml:5: rate_limits[1].limit: unknown key 'limit' (expected one of: by, requests, per, ipv6_prefix)",
        "gatehouse.yaml:5: rate_limits[1].requests: is required",
        "gatehouse.yaml:6: failed_auth_limit.by: unknown key 'by' (expected one of: requests, per, ipv6_prefix)"),
        problems(UPSTREAMS + """
            rate_limits:
              - {by: user, requests: 10, per: 1s}
              - {by: address, limit: 10, per: 1s}
            failed_auth_limit: {by: address, requests: 5, per: 1m}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void numbersOutsideWhatTheLimiterHoldsExactlyAreRefused() {
    assertEquals(List.of(
        "gatehouse.yaml:4: rate_limits[0].requests: must be between 1 and 1000000000, got '0'",
        "gatehouse.yaml:5: rate_limits[1].per: must be more than 0",
        "gatehouse.yaml:6: rate_limits[2].per: must be at most 1d, got '2d'",
        "gatehouse.yaml:7: rate_limits[3].requests: must be at most 106751 per '1d' (the limiter counts requests × per in nanoseconds), got 1000000",
        "gatehouse.yaml:8: failed_auth_limit.per: invalid duration 'soon' (expected a whole number followed by ms, s, m, h or d, e.g. 500ms, 30s, 24h)"),
        problems(UPSTREAMS + """
            rate_limits:
              - {by: global, requests: 0, per: 1s}
              - {by: global, requests: 1, per: 0s}
              - {by: global, requests: 1, per: 2d}
              - {by: global, requests: 1000000, per: 1d}
            failed_auth_limit: {requests: 5, per: soon}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void theSameLimitTwiceInOneListIsRefusedButTheSameOnARouteIsItsOwn() {
    assertEquals(List.of("gatehouse.yaml:5: rate_limits[1]: the same limit as rate_limits[0]: it would count every request twice",
        "gatehouse.yaml:11: routes[0].rate_limits[1]: the same limit as routes[0].rate_limits[0]: it would count every request twice"),
        problems(UPSTREAMS + """
            rate_limits:
              - {by: address, requests: 10, per: 1s}
              - {by: address, requests: 10, per: 1s}
            routes:
              - match: {prefix: /}
                upstream: orders
                rate_limits:
                  - {by: address, requests: 10, per: 1s}
                  - {by: address, requests: 10, per: 1s}
            """));
  }

  @Test
  void aRouteLimitThatCouldNeverCountARequestIsRefused() {
    assertEquals(List.of(
        "gatehouse.yaml:4: routes[0].rate_limits[0].by: global is for the top-level rate_limits (one bucket for the whole gateway); on a route write 'route'",
        "gatehouse.yaml:5: routes[1].rate_limits[0].by: 'subject' never counts a request on a public route, which authenticates no one",
        "gatehouse.yaml:6: routes[2].rate_limits[0].by: 'key' never counts a request on a public route, which authenticates no one",
        "gatehouse.yaml:7: routes[3].rate_limits[0].by: 'key' never counts a request on this route: its policy takes no API key"),
        problems(UPSTREAMS + """
            routes:
              - {match: {prefix: /a/}, upstream: orders, rate_limits: [{by: global, requests: 1, per: 1s}]}
              - {match: {prefix: /b/}, upstream: orders, policy: public, rate_limits: [{by: subject, requests: 1, per: 1s}]}
              - {match: {prefix: /c/}, upstream: orders, policy: public, rate_limits: [{by: key, requests: 1, per: 1s}]}
              - {match: {prefix: /d/}, upstream: orders, policy: jwt, rate_limits: [{by: key, requests: 1, per: 1s}]}
            """));
  }

  @Test
  void wrongShapesAreNamed() {
    assertEquals(List.of("gatehouse.yaml:3: rate_limits: expected a list, got a mapping",
        "gatehouse.yaml:7: routes[0].rate_limits[0]: expected a mapping, got a string"),
        problems(UPSTREAMS + """
            rate_limits: {by: global, requests: 1, per: 1s}
            routes:
              - match: {prefix: /}
                upstream: orders
                rate_limits: [global]
            """));
  }
}
