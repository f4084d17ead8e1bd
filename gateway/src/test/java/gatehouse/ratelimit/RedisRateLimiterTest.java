package gatehouse.ratelimit;

import static gatehouse.testing.TestRedis.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.RedisConfig;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared limiter against real Redis: the machine's server under a prefix of this run's own
 * (deleted afterwards), and servers this test owns where one must be frozen, killed or clustered.
 */
class RedisRateLimiterTest {
  private static final String PREFIX = TestRedis.uniquePrefix();
  /** Three instances' clocks, skewed by tens of seconds: only Redis's clock may count. */
  private static final List<Duration> SKEWS = List.of(Duration.ofSeconds(-45), Duration.ZERO, Duration.ofSeconds(45));

  private static Vertx helper;

  @BeforeAll
  @BeforeContainer
  static void start() {
    TestRedis.requireShared();
    helper = Vertx.vertx();
  }

  @AfterAll
  @AfterContainer
  static void deleteThisRunsKeys() {
    if (helper == null) return;
    TestRedis.deleteKeys(helper, TestRedis.SHARED, PREFIX);
    await(helper.close());
    helper = null;
  }

  /** Three gateway instances, each on a Vert.x of its own with a skewed clock, on one Redis. */
  private static final class Fleet implements AutoCloseable {
    final List<Vertx> vertxes = new ArrayList<>();
    final List<RedisRateLimiter> limiters = new ArrayList<>();

    Fleet(List<String> endpoints, boolean cluster, String prefix, Duration timeout, RedisConfig.Fallback fallback, Duration heartbeat) {
      for (Duration skew : SKEWS) {
        Vertx v = Vertx.vertx();
        vertxes.add(v);
        MutableClock clock = MutableClock.start();
        clock.set(Instant.now().plus(skew));
        limiters.add(RedisRateLimiter.create(v, TestRedis.config(endpoints, cluster, prefix, timeout, fallback, heartbeat), clock));
      }
    }

    /** Waits until every instance has heartbeaten and sees the other two (connected, slots known). */
    Fleet warm() {
      waitFor(() -> limiters.stream().allMatch(l -> l.instances() == limiters.size() && !l.inFallback()), "all instances see each other");
      return this;
    }

    /**
     * {@code n} requests for {@code key}, request i to instance i mod 3, all in flight at once, each
     * sent from its instance's event loop.
     */
    List<RedisRateLimiter.Decision> roundRobin(String key, Limit limit, int n) {
      List<Future<RedisRateLimiter.Decision>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        RedisRateLimiter l = limiters.get(i % limiters.size());
        Promise<RedisRateLimiter.Decision> p = Promise.promise();
        vertxes.get(i % vertxes.size()).runOnContext(x -> l.decide(key, limit).onComplete(p));
        all.add(p.future());
      }
      return await(Future.all(all)).list();
    }

    @Override
    public void close() {
      limiters.forEach(l -> await(l.close()));
      vertxes.forEach(v -> await(v.close()));
    }
  }

  static long allowed(List<RedisRateLimiter.Decision> decisions) {
    return decisions.stream().filter(d -> d.verdict() instanceof Verdict.Allowed).count();
  }

  /**
   * The exactness test of issue 21: 5×L requests on one key over three instances with clocks 90 s
   * apart admit exactly L, and each of the L tokens is taken once (remaining L-1 … 0).
   */
  static void exactlyTheLimitIsAdmitted(Fleet fleet, String key) {
    // 50 per 10 minutes: a token every 12 s, so the test never sees one come back, while a limiter
    // on the instances' clocks would refill several from 45 s of skew.
    Limit limit = new Limit(50, Duration.ofMinutes(10));
    List<RedisRateLimiter.Decision> decisions = fleet.roundRobin(key, limit, 250);
    assertEquals(50, allowed(decisions), "admitted of 250");
    Set<Long> remaining = new TreeSet<>();
    for (RedisRateLimiter.Decision d : decisions) {
      assertTrue(d.redisMicros() > 0, "answered by Redis, not a fallback: " + d);
      if (d.verdict() instanceof Verdict.Allowed a) remaining.add(a.remaining());
    }
    assertEquals(50, remaining.size(), "every token is taken once: " + remaining);
    assertEquals(0L, ((TreeSet<Long>) remaining).first());
    assertEquals(49L, ((TreeSet<Long>) remaining).last());
  }

  @Test
  void threeInstancesWithSkewedClocksAdmitExactlyTheLimitTogether() {
    try (Fleet fleet = new Fleet(List.of(TestRedis.SHARED), false, PREFIX, Duration.ofSeconds(2), RedisConfig.Fallback.CLOSED,
        Duration.ofMillis(200))) {
      exactlyTheLimitIsAdmitted(fleet.warm(), "key:exact");
      assertEquals(0, fleet.limiters.stream().filter(RedisRateLimiter::inFallback).count());
    }
  }

  @Test
  void aThreeNodeRedisClusterAdmitsExactlyTheLimitTooOnKeysOfEveryNode() {
    try (TestRedis.Cluster cluster = TestRedis.Cluster.start();
        Fleet fleet = new Fleet(cluster.endpoints(), true, PREFIX, Duration.ofSeconds(2), RedisConfig.Fallback.CLOSED,
            Duration.ofMillis(200)).warm()) {
      // Nine keys spread over the 16384 slots, so every node serves some.
      for (int k = 0; k < 9; k++) exactlyTheLimitIsAdmitted(fleet, "key:cluster-" + k);
      Set<Long> nodes = new TreeSet<>();
      for (int k = 0; k < 9; k++) {
        long slot = TestRedis.send(helper, cluster.endpoints().get(0), true,
            Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(fleet.limiters.get(0).bucketKey("key:cluster-" + k))).toLong();
        nodes.add(slot * 3 / 16384);
      }
      assertEquals(3, nodes.size(), "the keys fall on all three nodes' slot ranges");
    }
  }

  @Test
  void bucketKeysAreHashTaggedUnderThePrefixAndExpireOnceTheBucketWouldBeFull() {
    try (Fleet fleet = new Fleet(List.of(TestRedis.SHARED), false, PREFIX, Duration.ofSeconds(2), RedisConfig.Fallback.CLOSED,
        Duration.ofSeconds(1))) {
      await(fleet.limiters.get(0).acquire("key:ttl", new Limit(5, Duration.ofSeconds(30))));
      String key = PREFIX + "{key:ttl}";
      assertEquals(List.of(key), TestRedis.keys(helper, TestRedis.SHARED, PREFIX + "{key:ttl"));
      long ttl = TestRedis.send(helper, TestRedis.SHARED, false, Request.cmd(Command.PTTL).arg(key)).toLong();
      assertTrue(ttl > 29_000 && ttl <= 31_000, "ttl " + ttl + "ms, about the window");
    }
  }

  @Provide
  Arbitrary<Limit> limits() {
    // Short windows, so tokens come back while the property runs; and the extremes of Limit
    // (up to 10^9 per day), where the script's arithmetic would lose precision in plain doubles.
    Arbitrary<Limit> brisk = Combinators.combine(Arbitraries.longs().between(1, 40), Arbitraries.longs().between(1_000, 40_000_000))
        .as((r, w) -> new Limit(r, Duration.ofNanos(w)));
    Arbitrary<Limit> huge = Combinators.combine(Arbitraries.longs().between(1, 1_000_000_000), Arbitraries.longs().between(1, 86_400_000_000_000L))
        .as((r, w) -> new Limit(r, Duration.ofNanos(w)));
    return Arbitraries.oneOf(brisk, huge);
  }

  /**
   * The same timeline gives the same verdicts: what Redis decided for a sequence of requests equals
   * what {@link LocalRateLimiter} decides when its clock reads the Redis time of each decision, to
   * the nanosecond in every header value.
   */
  @Property(tries = 150)
  void redisDecidesWhatTheLocalBucketDecidesAtRedissTimes(@ForAll("limits") Limit limit,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 60) int requests,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int changeAt) {
    RedisRateLimiter redis = RedisRateLimiter.create(helper, TestRedis.config(List.of(TestRedis.SHARED), false, PREFIX,
        Duration.ofSeconds(5), RedisConfig.Fallback.CLOSED, Duration.ofSeconds(1)), MutableClock.start());
    MutableClock clock = MutableClock.start();
    LocalRateLimiter local = new LocalRateLimiter(clock);
    String key = "key:property-" + java.util.UUID.randomUUID();
    // A key seen with another limit midway starts again, on both.
    Limit other = new Limit(limit.requests() == 1 ? 2 : limit.requests() - 1, limit.window());
    try {
      for (int i = 0; i < requests; i++) {
        Limit l = changeAt > 0 && i == requests * changeAt / 4 ? other : limit;
        RedisRateLimiter.Decision d = await(redis.decide(key, l));
        clock.set(Instant.EPOCH.plusNanos(Math.multiplyExact(d.redisMicros(), 1_000L)));
        assertEquals(local.take(key, l), d.verdict(), "request " + (i + 1) + " of " + requests + " on " + l);
      }
    } finally {
      await(redis.close());
    }
  }

  @Test
  void localFallbackGivesEachInstanceItsShareRoundedDown() {
    RedisRateLimiter l = RedisRateLimiter.create(helper, TestRedis.config(List.of(TestRedis.SHARED), false, PREFIX,
        Duration.ofSeconds(1), RedisConfig.Fallback.LOCAL, Duration.ofSeconds(1)), MutableClock.start());
    try {
      Limit limit = Limit.perMinute(10);
      int allowed = 0;
      for (int i = 0; i < 10; i++) if (l.localShare("k", limit, 3) instanceof Verdict.Allowed a) {
        allowed++;
        assertEquals(limit, a.limit(), "the verdict names the limit asked about");
      }
      assertEquals(3, allowed);
      assertInstanceOf(Verdict.Denied.class, l.localShare("two", Limit.perMinute(2), 3), "a share of less than one refuses");
    } finally {
      await(l.close());
    }
  }

  /**
   * Issue 21 §2: Redis frozen (connections open, no answer) then killed, with three instances and
   * {@code fallback: local}. No decision waits much past the timeout; each instance admits at most
   * L ÷ 3; once Redis is back the instances leave fallback by themselves and share again.
   */
  @Test
  void redisGoneMeansBoundedWaitsLocalSharesAndSharedLimitsAgainOnceBack() {
    // Long enough that a cold JVM on a busy machine answers from Redis before and after the outage.
    Duration timeout = Duration.ofMillis(250);
    try (TestRedis.Server server = TestRedis.Server.start();
        Fleet fleet = new Fleet(List.of(server.endpoint()), false, PREFIX, timeout, RedisConfig.Fallback.LOCAL, Duration.ofMillis(200))) {
      fleet.warm();
      Limit limit = new Limit(30, Duration.ofMinutes(10));
      assertEquals(30, allowed(fleet.roundRobin("key:before", limit, 90)));

      server.freeze();
      for (RedisRateLimiter l : fleet.limiters) {
        int admitted = 0;
        for (int i = 0; i < 30; i++) {
          long start = System.nanoTime();
          Verdict v = await(l.acquire("key:outage", limit));
          long waited = System.nanoTime() - start;
          assertTrue(waited < timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(150),
              "decision " + i + " waited " + TimeUnit.NANOSECONDS.toMillis(waited) + "ms, timeout " + timeout.toMillis() + "ms");
          if (v instanceof Verdict.Allowed) admitted++;
        }
        assertEquals(10, admitted, "an instance's share is 30 ÷ 3");
        assertTrue(l.inFallback());
      }
      // Killed while frozen: the connections close now, and the fallback goes on with the same buckets.
      server.kill();
      for (RedisRateLimiter l : fleet.limiters) assertInstanceOf(Verdict.Denied.class, await(l.acquire("key:outage", limit)));

      server.restart();
      waitFor(() -> fleet.limiters.stream().noneMatch(RedisRateLimiter::inFallback), "every instance leaves fallback");
      List<RedisRateLimiter.Decision> after = fleet.roundRobin("key:after", limit, 90);
      assertEquals(30, allowed(after), "shared again: the limit, not three shares");
      assertTrue(after.stream().allMatch(d -> d.redisMicros() > 0), "Redis answered every one");
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
