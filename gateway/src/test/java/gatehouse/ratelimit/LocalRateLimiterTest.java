package gatehouse.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  private final MutableClock clock = MutableClock.start();
  private final LocalRateLimiter limiter = new LocalRateLimiter(clock);

  @ParameterizedTest(name = "limit {0}")
  @ValueSource(ints = {1, 2, 7, 60, 600, 1000})
  void withLimitNExactlyNPassThenThe429ThenAFullBucketAfterTheWindow(int n) {
    Limit limit = Limit.perMinute(n);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < n; i++) {
        Verdict.Allowed v = assertInstanceOf(Verdict.Allowed.class, limiter.take("k", limit), "request " + (i + 1) + " of round " + round);
        assertEquals(n - i - 1, v.remaining());
      }
      Verdict.Denied denied = assertInstanceOf(Verdict.Denied.class, limiter.take("k", limit));
      assertEquals(Duration.ofNanos(-Math.floorDiv(-60_000_000_000L, n)), denied.retryAfter());
      assertEquals(Duration.ofMinutes(1), denied.resetAfter());
      clock.advance(Duration.ofMinutes(1));
    }
  }

  /** The largest limit there is: 8.64 × 10^22 credit units, past a long's range, kept exact. */
  @Test
  void aBillionPerDayNeitherOverflowsNorRounds() {
    Limit limit = new Limit(1_000_000_000L, Duration.ofDays(1));
    Verdict.Allowed first = assertInstanceOf(Verdict.Allowed.class, limiter.take("k", limit));
    assertEquals(999_999_999L, first.remaining());
    assertEquals(Duration.ofNanos(86_400), first.resetAfter(), "one token's worth: a day / 10^9");
    clock.advance(Duration.ofNanos(86_399));
    assertEquals(Duration.ofNanos(1), assertInstanceOf(Verdict.Allowed.class, limiter.take("k", limit)).resetAfter().minusNanos(86_400));
  }

  @Test
  void tokensComeBackOneByOneAtTheLimitsPace() {
    Limit limit = Limit.perMinute(60);
    for (int i = 0; i < 60; i++) limiter.take("k", limit);
    clock.advance(Duration.ofMillis(999));
    assertInstanceOf(Verdict.Denied.class, limiter.take("k", limit));
    assertEquals(Duration.ofMillis(1), ((Verdict.Denied) limiter.take("k", limit)).retryAfter());
    clock.advance(Duration.ofMillis(1));
    assertInstanceOf(Verdict.Allowed.class, limiter.take("k", limit));
    assertInstanceOf(Verdict.Denied.class, limiter.take("k", limit));
  }

  @Test
  void aQuietBucketNeverHoldsMoreThanOneWindowsWorth() {
    Limit limit = Limit.perMinute(5);
    clock.advance(Duration.ofDays(3));
    int passed = 0;
    for (int i = 0; i < 10; i++) if (limiter.take("k", limit) instanceof Verdict.Allowed) passed++;
    assertEquals(5, passed);
  }

  @Test
  void keysHaveTheirOwnBucketsAndANewLimitStartsAFullOne() {
    for (int i = 0; i < 3; i++) limiter.take("a", Limit.perMinute(3));
    assertInstanceOf(Verdict.Denied.class, limiter.take("a", Limit.perMinute(3)));
    assertInstanceOf(Verdict.Allowed.class, limiter.take("b", Limit.perMinute(3)));
    assertInstanceOf(Verdict.Allowed.class, limiter.take("a", Limit.perMinute(10)));
  }

  @Test
  void concurrentRequestsOnOneKeyTakeExactlyTheBucket() throws Exception {
    Limit limit = Limit.perMinute(1000);
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 500; i++) if (limiter.take("k", limit) instanceof Verdict.Allowed) allowed.incrementAndGet();
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread t : threads) t.join();
    assertEquals(1000, allowed.get());
  }

  @Test
  void limitsOutsideTheirRangeAreRefusedWithTheirValue() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Limit.perMinute(0));
    assertEquals("requests must be at least 1, got 0", e.getMessage());
  }
}
