package gatehouse.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Identity;
import gatehouse.config.RateLimitConfig;
import gatehouse.config.RateLimitConfig.By;
import gatehouse.config.RateLimitsConfig;
import gatehouse.config.RouteConfig;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * With time standing still, each configured limit is a count: for any interleaving of requests
 * from several addresses and subjects on two routes, a request is admitted exactly when every
 * bucket that counts it has been taken from fewer times than its limit, and no bucket ever admits
 * more than its limit. Two limits that count one address (the gateway's and a route's) are two
 * buckets, never one.
 */
class LimitsPropertiesTest {
  private static final int GLOBAL = 40;
  private static final int ADDRESS = 9;
  private static final int SUBJECT = 7;
  private static final int ROUTE = 12;
  private static final int ROUTE_ADDRESS = 4;
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private static final RouteConfig ORDERS = LimitsTest.route("orders", List.of(new RateLimitConfig(By.ROUTE, ROUTE, MINUTE),
      new RateLimitConfig(By.ADDRESS, ROUTE_ADDRESS, MINUTE)));
  private static final RouteConfig OPEN = LimitsTest.route("open", List.of());
  private static final RateLimitsConfig TOP = new RateLimitsConfig(List.of(new RateLimitConfig(By.GLOBAL, GLOBAL, MINUTE),
      new RateLimitConfig(By.ADDRESS, ADDRESS, MINUTE), new RateLimitConfig(By.SUBJECT, SUBJECT, MINUTE)), Optional.empty());
  private static final List<Optional<Identity>> WHO = List.of(Optional.empty(), Optional.of(LimitsTest.jwt("alice", Map.of())),
      Optional.of(LimitsTest.jwt("bob", Map.of())));

  /** One request: which route, from which address, as whom (an index into {@link #WHO}). */
  record Request(boolean orders, String address, int who) {}

  @Provide
  Arbitrary<List<Request>> interleavings() {
    Arbitrary<Request> one = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of("192.0.2.1", "192.0.2.2", "2001:db8:0:0:0:0:0:1"),
        Arbitraries.integers().between(0, WHO.size() - 1)).as(Request::new);
    return one.list().ofMinSize(1).ofMaxSize(120);
  }

  @Property(tries = 300)
  void aRequestIsAdmittedExactlyWhenEveryBucketThatCountsItHasATokenLeft(@ForAll("interleavings") List<Request> requests) {
    MutableClock clock = MutableClock.start();
    Limits limits = Limits.compile(RateLimiter.local(clock), TOP, List.of(ORDERS, OPEN), clock);
    Map<List<String>, Integer> taken = new HashMap<>();
    Map<List<String>, Integer> admitted = new HashMap<>();
    Map<List<String>, Integer> limitOf = new HashMap<>();
    for (Request r : requests) {
      Optional<Identity> who = WHO.get(r.who());
      // The model: which counts this request takes from, written from the semantics, not from the names.
      Map<List<String>, Integer> counts = new HashMap<>();
      counts.put(List.of("gateway", "global"), GLOBAL);
      counts.put(List.of("gateway", "address", r.address()), ADDRESS);
      who.ifPresent(i -> counts.put(List.of("gateway", "subject", i.subject()), SUBJECT));
      if (r.orders()) {
        counts.put(List.of("orders", "route"), ROUTE);
        counts.put(List.of("orders", "address", r.address()), ROUTE_ADDRESS);
      }
      boolean expected = counts.entrySet().stream().allMatch(e -> taken.getOrDefault(e.getKey(), 0) < e.getValue());
      Admission got = limits.admit(r.orders() ? ORDERS : OPEN, r.address(), who, Optional.empty()).result();
      assertEquals(expected, got instanceof Admission.Admitted, "request " + r + " after " + taken);
      for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
        taken.merge(e.getKey(), 1, Integer::sum);
        if (expected) admitted.merge(e.getKey(), 1, Integer::sum);
        limitOf.put(e.getKey(), e.getValue());
      }
    }
    admitted.forEach((bucket, n) -> assertTrue(n <= limitOf.get(bucket), bucket + " admitted " + n));
  }

  @Property(tries = 200)
  void failedAuthenticationsVerifiedFromOneAddressNeverExceedTheLimit(@ForAll("interleavings") List<Request> requests) {
    MutableClock clock = MutableClock.start();
    Limits limits = Limits.compile(RateLimiter.local(clock),
        new RateLimitsConfig(List.of(), Optional.of(new RateLimitConfig(By.ADDRESS, ROUTE_ADDRESS, MINUTE))), List.of(), clock);
    Map<String, Integer> verified = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (Request r : requests) {
      order.add(r.address());
      if (limits.screen(r.address()) instanceof Admission.Limited) continue;
      verified.merge(r.address(), 1, Integer::sum);
      limits.failed(r.address()).result();
    }
    verified.forEach((address, n) -> assertEquals(Math.min(ROUTE_ADDRESS, order.stream().filter(address::equals).count()), (long) n,
        address + " in " + order));
  }
}
