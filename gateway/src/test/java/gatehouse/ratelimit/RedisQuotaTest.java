package gatehouse.ratelimit;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.RedisConfig;
import gatehouse.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calendar quotas on real Redis: the machine's server under a prefix of this run's own (deleted
 * afterwards), and a server this test owns where one must die. Three instances with clocks 90 s
 * apart ({@link RedisRateLimiterTest.Fleet}) count one quota together, by Redis's clock.
 */
class RedisQuotaTest {
  private static final String PREFIX = TestRedis.uniquePrefix();
  /** For the test's own commands; JUnit's and jqwik's hooks both run, so it is made and closed once. */
  private static final java.util.concurrent.atomic.AtomicReference<Vertx> HELPER = new java.util.concurrent.atomic.AtomicReference<>();

  @BeforeAll
  @BeforeContainer
  static void requireRedis() {
    TestRedis.requireShared();
    HELPER.compareAndSet(null, Vertx.vertx());
  }

  @AfterAll
  @AfterContainer
  static void deleteThisRunsKeysAndClose() {
    Vertx v = HELPER.getAndSet(null);
    if (v != null) TestRedis.deleteKeys(v, TestRedis.SHARED, PREFIX);
    if (v != null) await(v.close());
  }

  private static Vertx helper() {
    return HELPER.get();
  }

  /** {@code n} quota requests for {@code key}, request i to instance i mod 3, all in flight at once, each from its instance's event loop. */
  static List<QuotaVerdict> roundRobin(RedisRateLimiterTest.Fleet fleet, String key, CalendarQuota quota, int n) {
    List<Future<QuotaVerdict>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RedisRateLimiter l = fleet.limiters.get(i % fleet.limiters.size());
      Promise<QuotaVerdict> p = Promise.promise();
      fleet.vertxes.get(i % fleet.vertxes.size()).runOnContext(x -> l.reserve(key, quota).onComplete(p));
      all.add(p.future());
    }
    return await(Future.all(all)).list();
  }

  @Test
  void threeInstancesWithSkewedClocksCountExactlyTheQuotaTogetherInOneUtcDay() {
    try (RedisRateLimiterTest.Fleet fleet = new RedisRateLimiterTest.Fleet(List.of(TestRedis.SHARED), false, PREFIX, Duration.ofSeconds(2),
        RedisConfig.Fallback.CLOSED, Duration.ofMillis(200)).warm()) {
      CalendarQuota quota = new CalendarQuota(40, CalendarQuota.Period.DAY);
      List<QuotaVerdict> verdicts = roundRobin(fleet, "key:q", quota, 200);
      Set<Long> used = new TreeSet<>();
      Set<Instant> starts = new TreeSet<>();
      int exhausted = 0;
      for (QuotaVerdict v : verdicts) {
        if (v instanceof QuotaVerdict.Counted c) {
          assertTrue(c.shared(), "Redis counted it, not a fallback");
          used.add(c.state().used());
          starts.add(c.state().window().start());
        } else {
          QuotaVerdict.State s = assertInstanceOf(QuotaVerdict.Exhausted.class, v).state();
          assertEquals(40, s.used());
          assertTrue(s.untilEnd().compareTo(Duration.ofDays(1)) <= 0 && !s.untilEnd().isNegative(), s.toString());
          starts.add(s.window().start());
          exhausted++;
        }
      }
      assertEquals(160, exhausted);
      assertEquals(40, used.size(), "each of the 40 counted once: " + used);
      assertEquals(List.of(1L, 40L), List.of(((TreeSet<Long>) used).first(), ((TreeSet<Long>) used).last()));
      if (starts.size() == 1) {
        Instant start = starts.iterator().next();
        assertEquals(0, start.getEpochSecond() % 86_400, "a day starts at 00:00 UTC: " + start);
      }
      for (RedisRateLimiter l : fleet.limiters) assertEquals(40, await(l.peek("key:q", quota)).used(), "every instance reads the one count");

      QuotaVerdict.Counted one = (QuotaVerdict.Counted) verdicts.stream().filter(v -> v instanceof QuotaVerdict.Counted).findFirst().orElseThrow();
      await(fleet.limiters.get(2).release("key:q", one));
      assertEquals(39, await(fleet.limiters.get(0).peek("key:q", quota)).used(), "given back on any instance");
      assertInstanceOf(QuotaVerdict.Counted.class, await(fleet.limiters.get(1).reserve("key:q", quota)));
      assertInstanceOf(QuotaVerdict.Exhausted.class, await(fleet.limiters.get(0).reserve("key:q", quota)));

      CalendarQuota monthly = new CalendarQuota(3, CalendarQuota.Period.MONTH);
      assertEquals(0, await(fleet.limiters.get(0).peek("key:q", monthly)).used(), "a month's count is apart from a day's");
      String key = PREFIX + "{key:q}:quota:day";
      assertEquals(List.of(key), TestRedis.keys(helper(), TestRedis.SHARED, PREFIX + "{key:q}:quota"), "hash-tagged like the key's bucket");
      long ttl = TestRedis.send(helper(), TestRedis.SHARED, false, Request.cmd(Command.TTL).arg(key)).toLong();
      assertTrue(ttl > 86_400 && ttl <= 2 * 86_400, "kept a day past the window's end: " + ttl + " s");
    }
  }

  @Test
  void aReadTakesNoTokenAndAgreesWithWhatTheBucketSaid() {
    try (RedisRateLimiterTest.Fleet fleet = new RedisRateLimiterTest.Fleet(List.of(TestRedis.SHARED), false, PREFIX, Duration.ofSeconds(2),
        RedisConfig.Fallback.CLOSED, Duration.ofMillis(200)).warm()) {
      Limit limit = new Limit(5, Duration.ofMinutes(10));
      assertEquals(new BucketState(limit, 5, Duration.ZERO), await(fleet.limiters.get(0).peek("key:read", limit)), "never used: full");
      for (int i = 0; i < 2; i++) await(fleet.limiters.get(i).acquire("key:read", limit));
      for (int i = 0; i < 3; i++) {
        BucketState s = await(fleet.limiters.get(i).peek("key:read", limit));
        assertEquals(3, s.remaining(), "reading takes no token");
        assertTrue(s.resetAfter().compareTo(Duration.ofMinutes(4).minusSeconds(10)) > 0 && s.resetAfter().compareTo(Duration.ofMinutes(4)) <= 0,
            "two tokens of 2 min each, less what refilled since: " + s.resetAfter());
      }
      assertEquals(new BucketState(Limit.perMinute(5), 5, Duration.ZERO), await(fleet.limiters.get(0).peek("key:read", Limit.perMinute(5))),
          "a bucket of another limit is full for this one");
      Verdict.Allowed next = (Verdict.Allowed) await(fleet.limiters.get(0).acquire("key:read", limit));
      assertEquals(2, next.remaining());
    }
  }

  /** The script's calendar at a time given instead of Redis's: {@code quota.lua} with TIME replaced by ARGV[5] and ARGV[6]. */
  private static Response scriptAt(Instant at, CalendarQuota.Period period) {
    String text = RedisRateLimiter.Script.load("quota.lua").text();
    String timed = text.replace("local time = redis.call('TIME')", "local time = {ARGV[5], ARGV[6]}");
    assertTrue(!timed.equals(text), "the script reads TIME where this test expects");
    return TestRedis.send(helper(), TestRedis.SHARED, false, Request.cmd(Command.EVAL).arg(timed).arg(1).arg(PREFIX + "{calendar}")
        .arg("read").arg(1).arg(period.word()).arg(0).arg(at.getEpochSecond()).arg(at.getNano() / 1000));
  }

  @Provide
  Arbitrary<Instant> instants() {
    // Anywhere from 1970 to 2400, and the last and first microseconds of days and months,
    // including 29 February in leap years and 1900-style century years.
    Arbitrary<Instant> any = Arbitraries.longs().between(0, 13_569_465_600L).map(Instant::ofEpochSecond);
    Arbitrary<Instant> edges = Arbitraries.of("2024-02-29T23:59:59.999999Z", "2024-03-01T00:00:00Z", "2100-02-28T23:59:59.999999Z",
        "2100-03-01T00:00:00Z", "2000-02-29T12:00:00Z", "2026-12-31T23:59:59.999999Z", "2027-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
        "2026-04-30T23:59:59.999999Z", "2038-01-19T03:14:08Z").map(Instant::parse);
    return Arbitraries.oneOf(any, edges);
  }

  @Property(tries = 400)
  void theScriptsWindowsAreJavasUtcDaysAndMonths(@ForAll("instants") Instant at, @ForAll CalendarQuota.Period period) {
    Response r = scriptAt(at, period);
    CalendarQuota.Window expected = new CalendarQuota(1, period).windowAt(at);
    assertEquals(List.of(expected.start().getEpochSecond(), expected.end().getEpochSecond()), List.of(r.get(2).toLong(), r.get(3).toLong()),
        period + " at " + at);
  }

  /**
   * Redis gone, {@code fallback: local}: each of three instances counts the quota in its own
   * process at quota ÷ 3 (the instances it last saw); {@code closed} refuses; a read fails.
   */
  @Test
  void redisGoneMeansEachInstanceCountsItsShareOfTheQuotaOrRefusesWhenClosed() {
    try (TestRedis.Server server = TestRedis.Server.start();
        RedisRateLimiterTest.Fleet fleet = new RedisRateLimiterTest.Fleet(List.of(server.endpoint()), false, PREFIX, Duration.ofMillis(250),
            RedisConfig.Fallback.LOCAL, Duration.ofMillis(200))) {
      fleet.warm();
      CalendarQuota quota = new CalendarQuota(31, CalendarQuota.Period.DAY);
      server.kill();
      for (RedisRateLimiter l : fleet.limiters) {
        int counted = 0;
        for (int i = 0; i < 20; i++) {
          QuotaVerdict v = await(l.reserve("key:outage", quota));
          if (v instanceof QuotaVerdict.Counted c) {
            counted++;
            assertTrue(!c.shared(), "counted by the fallback");
          } else {
            assertInstanceOf(QuotaVerdict.Exhausted.class, v);
          }
        }
        assertEquals(10, counted, "an instance's share is 31 ÷ 3, rounded down");
        assertTrue(l.inFallback());
        assertTrue(l.peek("key:outage", quota).toCompletionStage().toCompletableFuture().handle((v, e) -> e != null).join(), "a read fails");
      }
    }
    try (TestRedis.Server server = TestRedis.Server.start();
        RedisRateLimiterTest.Fleet fleet = new RedisRateLimiterTest.Fleet(List.of(server.endpoint()), false, PREFIX, Duration.ofMillis(250),
            RedisConfig.Fallback.CLOSED, Duration.ofMillis(200))) {
      fleet.warm();
      server.kill();
      assertInstanceOf(QuotaVerdict.Unavailable.class, await(fleet.limiters.get(0).reserve("key:closed", new CalendarQuota(5, CalendarQuota.Period.MONTH))));
    }
  }
}
