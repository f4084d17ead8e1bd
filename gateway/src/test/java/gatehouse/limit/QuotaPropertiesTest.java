package gatehouse.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Quota;
import gatehouse.config.RateLimitConfig;
import gatehouse.config.RateLimitConfig.By;
import gatehouse.config.RateLimitsConfig;
import gatehouse.config.RouteConfig;
import gatehouse.ratelimit.BucketState;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.QuotaVerdict;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A key's quota beside its per-minute limit and a route's limit, on the local limiter: for any
 * interleaving of requests and pauses across day and month edges, no window admits more than the
 * quota, the quota counts exactly the requests admitted (none a bucket refused), a request over
 * quota takes no token, and the headers show the tighter of the two.
 */
class QuotaPropertiesTest {
  private static final int QUOTA = 6;
  private static final int PER_MINUTE = 3;
  private static final int ROUTE_PER_MINUTE = 4;
  private static final RouteConfig LIMITED = LimitsTest.route("limited", List.of(new RateLimitConfig(By.ROUTE, ROUTE_PER_MINUTE, Duration.ofMinutes(1))));
  private static final RouteConfig OPEN = LimitsTest.route("open", List.of());
  private static final List<Duration> PAUSES = List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(7), Duration.ofSeconds(25),
      Duration.ofMinutes(3), Duration.ofHours(5), Duration.ofHours(23).plusMinutes(59).plusSeconds(59).plusMillis(999), Duration.ofDays(9));

  record Step(Duration pause, boolean limitedRoute) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(12, Arbitraries.just(Duration.ZERO)),
            net.jqwik.api.Tuple.of(5, Arbitraries.of(PAUSES))), Arbitraries.of(true, false))
        .as(Step::new).list().ofMinSize(1).ofMaxSize(150);
  }

  @Provide
  Arbitrary<Instant> starts() {
    // Close before a day's and a month's end, in leap and common years.
    return Arbitraries.of(Instant.parse("2028-02-29T23:59:30Z"), Instant.parse("2027-12-31T23:58:00Z"), Instant.parse("2026-04-30T23:59:59.998Z"),
        Instant.parse("2100-02-28T23:00:00Z"));
  }

  @Property(tries = 300)
  void noWindowAdmitsMoreThanTheQuotaAndTheQuotaCountsExactlyTheAdmitted(@ForAll("steps") List<Step> steps, @ForAll("starts") Instant start,
      @ForAll CalendarQuota.Period period) {
    MutableClock clock = new MutableClock(start);
    RateLimiter limiter = RateLimiter.local(clock);
    Limits limits = Limits.compile(limiter, new RateLimitsConfig(List.of(), Optional.empty()), List.of(LIMITED, OPEN), clock);
    CalendarQuota quota = new CalendarQuota(QUOTA, period);
    Limit perMinute = Limit.perMinute(PER_MINUTE);
    Optional<CredentialLimit> own = Optional.of(new CredentialLimit("k1", Optional.of(perMinute), Optional.of(quota)));
    Map<Instant, Integer> admitted = new HashMap<>();
    for (Step s : steps) {
      clock.advance(s.pause());
      Instant window = quota.windowAt(clock.instant()).start();
      BucketState before = limiter.peek("key:k1", perMinute).result();
      Admission a = limits.admit(s.limitedRoute() ? LIMITED : OPEN, "192.0.2.1", Optional.of(LimitsTest.ACME_KEY), own).result();
      int already = admitted.getOrDefault(window, 0);
      if (already == QUOTA) {
        Admission.Limited l = assertInstanceOf(Admission.Limited.class, a, "over quota in " + window);
        assertEquals(quota.windowAt(clock.instant()).end(), clock.instant().plus(l.quota().reset()), "the quota's headers: reset at the window's end");
        assertEquals(before, limiter.peek("key:k1", perMinute).result(), "a request over quota takes no minute token");
      }
      if (a instanceof Admission.Admitted ok) {
        admitted.merge(window, 1, Integer::sum);
        Quota shown = ok.quota().orElseThrow();
        long quotaLeft = QUOTA - admitted.get(window);
        assertTrue(shown.remaining() <= quotaLeft, "headers show the tighter: " + shown + " with " + quotaLeft + " of the quota left");
      }
      assertTrue(admitted.getOrDefault(window, 0) <= QUOTA, window + " admitted " + admitted.get(window));
      assertEquals((long) admitted.getOrDefault(window, 0), limiter.peek("key:k1", quota).result().used(),
          "the quota counts the admitted requests, none a bucket refused");
    }
  }

  @Property(tries = 30)
  void threadsRacingOnOneQuotaCountExactlyItsRequests(@ForAll @IntRange(min = 1, max = 400) int requests, @ForAll @IntRange(min = 2, max = 8) int threads)
      throws InterruptedException {
    RateLimiter limiter = RateLimiter.local(MutableClock.start());
    CalendarQuota quota = new CalendarQuota(requests, CalendarQuota.Period.DAY);
    AtomicInteger counted = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    AtomicInteger exhausted = new AtomicInteger();
    AtomicInteger over = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int self = t;
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 150; i++) {
          QuotaVerdict v = limiter.reserve("key:race", quota).result();
          if (v instanceof QuotaVerdict.Exhausted) exhausted.incrementAndGet();
          if (v instanceof QuotaVerdict.Counted c) {
            counted.incrementAndGet();
            if (c.state().used() > requests) over.incrementAndGet();
            // Every third thread's requests are refused later by a bucket and given back.
            if (self % 3 == 0 && i % 2 == 0) {
              limiter.release("key:race", c).result();
              released.incrementAndGet();
            }
          }
        }
      });
      thread.start();
      all.add(thread);
    }
    go.countDown();
    for (Thread t : all) t.join();
    long kept = counted.get() - released.get();
    assertEquals(0, over.get(), "a count above the quota");
    assertTrue(kept <= requests, kept + " kept of " + requests);
    assertEquals(150L * threads, counted.get() + exhausted.get());
    if (exhausted.get() > 0) assertTrue(kept >= requests - threads, "refused only when the quota was used up: " + kept + " of " + requests);
    assertEquals(kept, limiter.peek("key:race", quota).result().used());
  }
}
