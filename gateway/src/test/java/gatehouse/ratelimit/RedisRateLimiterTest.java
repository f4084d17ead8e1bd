package gatehouse.ratelimit;

import static gatehouse.testing.TestVertx.await;
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
  static final class Fleet implements AutoCloseable {
    final List<Vertx> vertxes = new ArrayList<>();
    final List<RedisRateLimiter> limiters = new ArrayList<>();

    Fleet(List<String> endpoints, boolean cluster, String prefix, Duration timeout, RedisConfig.Fallback fallback, Duration heartbeat) {
      for (Duration skew : SKEWS) {
        Vertx v = Vertx.vertx();
        vertxes.add(v);
        limiters.add(RedisRateLimiter.create(v, TestRedis.config(endpoints, cluster, prefix, timeout, fallback, heartbeat),
            java.time.Clock.offset(java.time.Clock.systemUTC(), skew)));
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

  /**
   * Four event loops deciding at once: each sends on a connection of its own (the server sees one
   * per loop, the heartbeat's among them), and each answer comes back on the thread that asked.
   */
  @Test
  void eachEventLoopDecidesOnAConnectionOfItsOwnAndGetsItsAnswerOnItsOwnThread() {
    try (TestRedis.Server redis = TestRedis.Server.start()) {
      Vertx v = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(4));
      RedisRateLimiter limiter = RedisRateLimiter.create(v, TestRedis.config(List.of(redis.endpoint()), false, PREFIX, Duration.ofSeconds(2),
          RedisConfig.Fallback.CLOSED, Duration.ofSeconds(30)), java.time.Clock.systemUTC());
      try {
        Set<String> askers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Future<Boolean>> sameThread = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          io.vertx.core.Context c = ((io.vertx.core.internal.VertxInternal) v).createEventLoopContext();
          Promise<Boolean> p = Promise.promise();
          c.runOnContext(x -> {
            Thread asker = Thread.currentThread();
            askers.add(asker.getName());
            limiter.decide("loops", Limit.perMinute(1_000)).onComplete(ar -> p.complete(ar.succeeded()
                && ar.result().redisMicros() > 0 && Thread.currentThread() == asker));
          });
          sameThread.add(p.future());
        }
        for (Future<Boolean> f : sameThread) assertTrue(await(f), "answered by Redis on the asking thread");
        assertEquals(4, askers.size(), "decisions came from every event loop: " + askers);
        String clients = TestRedis.send(helper, redis.endpoint(), false, Request.cmd(Command.INFO).arg("clients")).toString();
        // One connection per event loop, and this INFO's own.
        assertTrue(clients.contains("connected_clients:5"), clients);
      } finally {
        await(limiter.close());
        await(v.close());
      }
    }
  }

  /**
   * Issue 21's metric rules: Prometheus names (counters end in {@code _total}, gauges do not), and
   * no bucket name ever becomes a label value, so the series do not grow with the keys decided on.
   */
  @Test
  void metricsFollowPrometheusNamingAndNeverCarryABucketName() {
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    try (Fleet fleet = new Fleet(List.of(TestRedis.SHARED), false, PREFIX, Duration.ofSeconds(2), RedisConfig.Fallback.LOCAL, Duration.ofMillis(200))) {
      fleet.warm();
      fleet.limiters.get(0).bindTo(meters);
      String before = null;
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 50; i++) fleet.roundRobin("metric-bucket-" + round + "-" + i, new Limit(1, Duration.ofMinutes(1)), 2);
        String scrape = meters.scrape();
        assertTrue(!scrape.contains("metric-bucket-"), "a bucket name in the metrics:\n" + scrape);
        List<String> series = scrape.lines().filter(l -> l.startsWith("gatehouse_rate_limit")).map(l -> l.substring(0, l.lastIndexOf(' '))).sorted().toList();
        if (before != null) assertEquals(before, String.join("\n", series), "the series do not grow with the buckets");
        before = String.join("\n", series);
      }
      assertTrue(before.contains("gatehouse_rate_limit_decisions_total{backend=\"redis\",outcome=\"allowed\"}"), before);
      assertTrue(before.contains("gatehouse_rate_limit_decisions_total{backend=\"redis\",outcome=\"denied\"}"), before);
      assertTrue(before.contains("gatehouse_rate_limit_fallback_active"), before);
      assertTrue(!before.contains("fallback_active_total") && !before.contains("instances_total"), "gauges are not counters: " + before);
    }
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
  @Provide
  Arbitrary<List<Integer>> pauses() {
    // Mostly back to back; now and then a pause of up to 15 ms of Redis time, which is what makes a
    // refill of a huge limit overflow 2^53 (10 ms at 10^9 per window is 10^16 units).
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just(0)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 15))).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 150)
  void redisDecidesWhatTheLocalBucketDecidesAtRedissTimes(@ForAll("limits") Limit limit, @ForAll("pauses") List<Integer> pauses,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int changeAt) {
    int requests = pauses.size();
    RedisRateLimiter redis = RedisRateLimiter.create(helper, TestRedis.config(List.of(TestRedis.SHARED), false, PREFIX,
        Duration.ofSeconds(5), RedisConfig.Fallback.CLOSED, Duration.ofSeconds(1)), MutableClock.start());
    MutableClock clock = MutableClock.start();
    LocalRateLimiter local = new LocalRateLimiter(clock);
    String key = "key:property-" + java.util.UUID.randomUUID();
    // A key seen with another limit midway starts again, on both.
    Limit other = new Limit(limit.requests() == 1 ? 2 : limit.requests() - 1, limit.window());
    try {
      for (int i = 0; i < requests; i++) {
        // Redis's clock cannot be moved by a test: real time passes instead.
        if (pauses.get(i) > 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauses.get(i)));
        Limit l = changeAt > 0 && i == requests * changeAt / 4 ? other : limit;
        RedisRateLimiter.Decision d = await(redis.decide(key, l));
        clock.set(Instant.EPOCH.plusNanos(Math.multiplyExact(d.redisMicros(), 1_000L)));
        assertEquals(local.take(key, l), d.verdict(), "request " + (i + 1) + " of " + requests + " on " + l);
      }
    } finally {
      await(redis.close());
    }
  }

  /** A bucket part-way: a limit up to 10^9 per day, any tokens and remainder, last touched up to two windows ago. */
  record Seeded(Limit limit, long tokens, long fraction, long agoMicros) {}

  @Provide
  Arbitrary<Seeded> seeded() {
    return limits().flatMap(l -> {
      long w = l.window().toNanos();
      return Combinators.combine(Arbitraries.longs().between(0, l.requests()), Arbitraries.longs().between(0, w - 1),
          Arbitraries.longs().between(0, 2 * (w / 1_000) + 1))
          .as((n, f, ago) -> new Seeded(l, n, n == l.requests() ? 0 : f, ago));
    });
  }

  /**
   * The script's arithmetic on any state, not only those a short run reaches: a bucket written
   * into Redis as the script keeps it, then one decision, equals {@link TokenBucket} from the same
   * state at the Redis time the script read. Refills there are far beyond 2^53 units, where plain
   * doubles in Lua would round.
   */
  @Property(tries = 300)
  void theScriptDoesTokenBucketsArithmeticFromAnyState(@ForAll("seeded") Seeded s) {
    decidesAsTokenBucketFrom(s);
  }

  /**
   * States where doubles would be off by a nanosecond in {@code RateLimit-Reset}: the refill is
   * about 10^22 units (found by simulating the script with plain {@code a * b / c} in doubles).
   */
  @Test
  void refillsBeyondTwoToThe53UnitsAreExactToTheNanosecond() {
    decidesAsTokenBucketFrom(new Seeded(new Limit(338_958_454, Duration.ofNanos(79_458_337_080_246L)), 0, 52_543_002_113_586L, 21_815_743_140L));
    decidesAsTokenBucketFrom(new Seeded(new Limit(350_793_824, Duration.ofNanos(52_784_982_970_164L)), 0, 43_136_750_019_566L, 22_396_461_512L));
    decidesAsTokenBucketFrom(new Seeded(new Limit(525_682_000, Duration.ofNanos(64_592_180_169_890L)), 0, 28_824_251_804_462L, 52_680_139_666L));
    decidesAsTokenBucketFrom(new Seeded(new Limit(74_652_696, Duration.ofNanos(82_541_993_194_818L)), 0, 56_036_478_836_278L, 21_223_305_113L));
  }

  private static void decidesAsTokenBucketFrom(Seeded s) {
    RedisRateLimiter redis = RedisRateLimiter.create(helper, TestRedis.config(List.of(TestRedis.SHARED), false, PREFIX,
        Duration.ofSeconds(5), RedisConfig.Fallback.CLOSED, Duration.ofSeconds(1)), MutableClock.start());
    String key = "key:seeded-" + java.util.UUID.randomUUID();
    try {
      io.vertx.redis.client.Response time = TestRedis.send(helper, TestRedis.SHARED, false, Request.cmd(Command.TIME));
      long at = time.get(0).toLong() * 1_000_000 + time.get(1).toLong() - s.agoMicros();
      TestRedis.send(helper, TestRedis.SHARED, false, Request.cmd(Command.HSET).arg(redis.bucketKey(key))
          .arg("r").arg(s.limit().requests()).arg("w").arg(s.limit().window().toNanos())
          .arg("n").arg(s.tokens()).arg("f").arg(s.fraction()).arg("at").arg(at));
      RedisRateLimiter.Decision d = await(redis.decide(key, s.limit()));
      // As LocalRateLimiter.take, from the seeded state.
      TokenBucket.State current = TokenBucket.refill(new TokenBucket.State(s.limit(), s.tokens(), s.fraction(), at * 1_000),
          d.redisMicros() * 1_000);
      Verdict expected = TokenBucket.tokens(current) < 1
          ? new Verdict.Denied(s.limit(), TokenBucket.untilOneToken(current), TokenBucket.untilFull(current))
          : new Verdict.Allowed(s.limit(), TokenBucket.tokens(TokenBucket.take(current)), TokenBucket.untilFull(TokenBucket.take(current)));
      assertEquals(expected, d.verdict(), "from " + s + ", " + (d.redisMicros() - at) + "µs later");
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
      io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      fleet.limiters.get(0).bindTo(meters);
      Limit limit = new Limit(30, Duration.ofMinutes(10));
      assertEquals(30, allowed(fleet.roundRobin("key:before", limit, 90)));

      server.freeze();
      for (RedisRateLimiter l : fleet.limiters) {
        int admitted = 0;
        for (int i = 0; i < 30; i++) {
          long start = System.nanoTime();
          Verdict v = await(l.acquire("key:outage", limit));
          long waited = System.nanoTime() - start;
          // The margin is for a timer on a machine with a load of 15 on 2 cores; a frozen Redis
          // without the timeout holds a decision until the test's own 30 s give up.
          assertTrue(waited < timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(350),
              "decision " + i + " waited " + TimeUnit.NANOSECONDS.toMillis(waited) + "ms, timeout " + timeout.toMillis() + "ms");
          if (v instanceof Verdict.Allowed) admitted++;
        }
        assertEquals(10, admitted, "an instance's share is 30 ÷ 3");
        assertTrue(l.inFallback());
      }
      assertEquals(1.0, meters.get("gatehouse_rate_limit_fallback_active").gauge().value());
      assertEquals(3.0, meters.get("gatehouse_rate_limit_instances").gauge().value(), "the last count stands");
      assertEquals(10.0, meters.get("gatehouse_rate_limit_decisions").tags("backend", "local", "outcome", "allowed").counter().count());
      assertEquals(20.0, meters.get("gatehouse_rate_limit_decisions").tags("backend", "local", "outcome", "denied").counter().count());
      assertTrue(meters.get("gatehouse_rate_limit_redis_errors").tags("reason", "timeout").counter().count() >= 1);
      // Killed while frozen: the connections close now, and the fallback goes on with the same buckets.
      server.kill();
      for (RedisRateLimiter l : fleet.limiters) assertInstanceOf(Verdict.Denied.class, await(l.acquire("key:outage", limit)));

      server.restart();
      waitFor(() -> fleet.limiters.stream().noneMatch(RedisRateLimiter::inFallback), "every instance leaves fallback");
      List<RedisRateLimiter.Decision> after = fleet.roundRobin("key:after", limit, 90);
      assertEquals(30, allowed(after), "shared again: the limit, not three shares");
      assertTrue(after.stream().allMatch(d -> d.redisMicros() > 0), "Redis answered every one");
      assertEquals(0.0, meters.get("gatehouse_rate_limit_fallback_active").gauge().value());
    }
  }

  static void waitFor(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
