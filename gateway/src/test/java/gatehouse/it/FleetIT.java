package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestRedis;
import gatehouse.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 21 §4: three whole gateways on loopback, each with its own Vert.x and a clock of its own
 * (30 s behind, on time, 30 s ahead), sharing this machine's PostgreSQL (a schema of this run's
 * own) for API keys and a Redis (the shared one under a key prefix of this run's own, deleted
 * after; or servers this test owns) for rate limits. Requests go round-robin over the three.
 *
 * <p>A limit of L per minute refills one token every 60 s / L; each exactness test checks that its
 * requests took less than that, so that exactly L is the only right count.
 */
class FleetIT {
  /** The instances' clocks: skewed by seconds, which the shared buckets must not notice. */
  private static final List<Duration> SKEWS = List.of(Duration.ofSeconds(-30), Duration.ZERO, Duration.ofSeconds(30));
  /** The per-minute limit of the exactness tests: one token back every 6.7 s, far longer than 5 × L requests take. */
  private static final int L = 9;

  private final Fleet fleet = new Fleet(true);
  private final List<Gatehouse> gateways = fleet.gateways;

  @RegisterExtension
  final GatewayInvariants invariants = new GatewayInvariants(() -> fleet.upstream);

  @AfterEach
  void stop() throws Exception {
    fleet.close();
  }

  // ---- exactness: a key, a subject, an address, over skewed clocks ----

  @Test
  void aKeyLimitedToLPerMinuteGetsExactlyLAcrossThreeSkewedInstances() throws Exception {
    startFleet(sharedRedis(), "");
    JsonObject key = createKey(gateways.get(0), "{\"owner\": \"acme\", \"rate_limit\": " + L + "}");
    assertExactlyL(i -> RawHttp.get(gateways.get(i % 3).port(), "/api/keys/x", "X-API-Key: " + key.getString("key")));
  }

  @Test
  void aSubjectLimitCountsEveryTokenOfThatSubjectOnEveryInstanceTogether() throws Exception {
    startFleet(sharedRedis(), "rate_limits: [{by: subject, requests: " + L + ", per: 1m}]");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 5; i++) tokens.add(token("alice", "t" + i));
    assertExactlyL(i -> RawHttp.get(gateways.get(i % 3).port(), "/api/x", "Authorization: Bearer " + tokens.get(i % tokens.size())));
    assertEquals(200, RawHttp.get(gateways.get(1).port(), "/api/x", "Authorization: Bearer " + token("bob", "b")).status(),
        "another subject has its own bucket");
  }

  @Test
  void anAddressLimitCountsOneClientOnEveryInstanceTogether() throws Exception {
    startFleet(sharedRedis(), "rate_limits: [{by: address, requests: " + L + ", per: 1m}]");
    assertExactlyL(i -> RawHttp.get(gateways.get(i % 3).port(), "/api/public/x"));
  }

  @Test
  void onAThreeNodeRedisClusterAKeyLimitIsExactToo() throws Exception {
    TestRedis.Cluster cluster = fleet.own(TestRedis.Cluster.start());
    startFleet(fleet.redis(Fleet.nodes(cluster.endpoints()), "timeout: 1s"), "");
    JsonObject key = createKey(gateways.get(0), "{\"owner\": \"acme\", \"rate_limit\": " + L + "}");
    assertExactlyL(i -> RawHttp.get(gateways.get(i % 3).port(), "/api/keys/x", "X-API-Key: " + key.getString("key")));
    for (Gatehouse g : gateways) {
      assertEquals(0.0, value(g, "gatehouse_rate_limit_redis_errors_total"), "every decision came from the Cluster");
    }
  }

  /**
   * Sends 5 × L requests, the {@code i}th made by {@code request}: exactly L get 200, with
   * RateLimit-Remaining L-1 down to 0 each seen once (one bucket, not one per instance), the rest
   * 429 with none left.
   */
  private static void assertExactlyL(IntFunction<RawHttp.Response> request) {
    long start = System.nanoTime();
    int admitted = 0;
    int limited = 0;
    Map<Integer, Integer> remainingSeen = new TreeMap<>();
    for (int i = 0; i < 5 * L; i++) {
      RawHttp.Response r = request.apply(i);
      if (r.status() == 200) {
        admitted++;
        remainingSeen.merge(Integer.parseInt(r.header("RateLimit-Remaining").orElseThrow()), 1, Integer::sum);
      } else {
        assertEquals(429, r.status(), r.text());
        assertEquals(List.of("0"), r.headers("RateLimit-Remaining"));
        limited++;
      }
    }
    long took = System.nanoTime() - start;
    assertTrue(took < TimeUnit.MINUTES.toNanos(1) / L,
        "the requests took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms, long enough for a token to come back: not a test of exactness");
    Map<Integer, Integer> once = new TreeMap<>();
    for (int r = 0; r < L; r++) once.put(r, 1);
    assertEquals(L, admitted, "admitted of " + 5 * L + "; RateLimit-Remaining seen " + remainingSeen);
    assertEquals(4 * L, limited);
    assertEquals(once, remainingSeen, "each RateLimit-Remaining value once");
  }

  /**
   * A key's daily quota on Redis: 5 × N requests round-robin over the three skewed instances admit
   * exactly N (RateLimit-Remaining N-1 … 0 once each, the quota being tighter than the minute
   * limit), the rest get 429 until 00:00 UTC by Redis's clock; the refused took no minute token;
   * every instance's {@code GET /keys/{id}/usage} shows the one count.
   */
  @Test
  void aKeysDailyQuotaAdmitsExactlyNAcrossThreeSkewedInstancesAndEveryInstanceShowsTheSameUsage() throws Exception {
    java.time.Instant now = java.time.Instant.now();
    long toMidnight = 86_400 - now.getEpochSecond() % 86_400;
    // Not across a day's end: the count would rightly start over.
    if (toMidnight < 30) Thread.sleep((toMidnight + 1) * 1000);
    startFleet(sharedRedis(), "");
    int n = 7;
    int perMinute = 60;
    JsonObject key = createKey(gateways.get(0), "{\"owner\": \"acme\", \"rate_limit\": " + perMinute + ", \"quota\": \"" + n + "/day\"}");
    String header = "X-API-Key: " + key.getString("key");
    int admitted = 0;
    Map<Integer, Integer> remainingSeen = new TreeMap<>();
    for (int i = 0; i < 5 * n; i++) {
      RawHttp.Response r = RawHttp.get(gateways.get(i % 3).port(), "/api/keys/x", header);
      if (r.status() == 200) {
        admitted++;
        remainingSeen.merge(Integer.parseInt(r.header("RateLimit-Remaining").orElseThrow()), 1, Integer::sum);
        assertEquals(List.of(n + ";w=86400"), r.headers("RateLimit-Policy"));
        continue;
      }
      assertEquals(429, r.status(), r.text());
      assertEquals(List.of("0"), r.headers("RateLimit-Remaining"));
      assertEquals(List.of(Integer.toString(n)), r.headers("RateLimit-Limit"));
      long untilMidnight = 86_400 - java.time.Instant.now().getEpochSecond() % 86_400;
      long retryAfter = Long.parseLong(r.header("Retry-After").orElseThrow());
      assertTrue(Math.abs(retryAfter - untilMidnight) <= 2, "Retry-After " + retryAfter + " s, 00:00 UTC is in " + untilMidnight + " s");
    }
    Map<Integer, Integer> once = new TreeMap<>();
    for (int r = 0; r < n; r++) once.put(r, 1);
    assertEquals(n, admitted, "admitted of " + 5 * n);
    assertEquals(once, remainingSeen, "each RateLimit-Remaining value once");
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
    for (Gatehouse g : gateways) {
      RawHttp.Response r = Fleet.admin(g, "GET", "/keys/" + key.getString("id") + "/usage", "");
      assertEquals(200, r.status(), r.text());
      JsonObject usage = new JsonObject(r.text());
      JsonObject quota = usage.getJsonObject("quota");
      assertEquals(List.of(n, 0, today), List.of(quota.getInteger("used"), quota.getInteger("remaining"), quota.getString("window_start")));
      int minuteLeft = usage.getJsonObject("rate_limit").getInteger("remaining");
      assertTrue(minuteLeft >= perMinute - n, "only the " + n + " admitted took a minute token: " + minuteLeft + " of " + perMinute + " left");
    }
  }

  // ---- a Redis of this test's own, frozen, killed and restarted ----

  @Test
  void whileRedisIsFrozenAndThenKilledNoRequestWaitsPastTheTimeoutEachInstanceAdmitsItsShareAndSharedLimitingResumes()
      throws Exception {
    TestRedis.Server server = fleet.own(TestRedis.Server.start());
    Duration timeout = Duration.ofMillis(100);
    // A request may take this much longer than the timeout on a loaded machine; without the
    // timeout a request to a frozen Redis would wait until the client gives up.
    Duration margin = Duration.ofMillis(700);
    int limit = 30;
    startFleet(fleet.redis(Fleet.url(server.endpoint()), "timeout: " + timeout.toMillis() + "ms, heartbeat: 200ms, fallback: local"),
        "rate_limits: [{by: address, requests: " + limit + ", per: 1h}]");
    for (Gatehouse g : gateways) awaitValue(g, "gatehouse_rate_limit_instances", 3.0);

    // Shared: the three take from one bucket.
    List<Long> baseline = new ArrayList<>();
    int[] shared = roundRobin(10, baseline);
    assertEquals(10, shared[0] + shared[1] + shared[2]);

    server.freeze();
    List<Long> frozen = new ArrayList<>();
    int[] whileFrozen = roundRobin(5 * limit, frozen);
    long worstFrozen = frozen.stream().mapToLong(Long::longValue).max().orElseThrow();
    for (Gatehouse g : gateways) assertEquals(1.0, value(g, "gatehouse_rate_limit_fallback_active"));

    server.kill();
    List<Long> killed = new ArrayList<>();
    int[] afterKill = roundRobin(5 * limit, killed);
    long worstKilled = killed.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("redis outage, 3 instances, limit %d, timeout %d ms: slowest request shared %d ms, frozen %d ms, killed %d ms;"
            + " admitted per instance frozen %s, after kill %s%n", limit, timeout.toMillis(), max(baseline), worstFrozen, worstKilled,
        java.util.Arrays.toString(whileFrozen), java.util.Arrays.toString(afterKill));
    for (int i = 0; i < 3; i++) {
      // Each instance's fallback bucket holds limit / 3 and starts full; killing does not refill it.
      assertTrue(whileFrozen[i] + afterKill[i] <= limit / 3, "instance " + i + " admitted " + (whileFrozen[i] + afterKill[i]));
      assertEquals(limit / 3, whileFrozen[i] + afterKill[i], "its share is used, not refused for nothing");
    }
    assertTrue(worstFrozen < timeout.plus(margin).toMillis(), "a request waited " + worstFrozen + " ms on a frozen Redis");
    assertTrue(worstKilled < timeout.plus(margin).toMillis(), "a request waited " + worstKilled + " ms on a dead Redis");
    for (Gatehouse g : gateways) assertTrue(value(g, "gatehouse_rate_limit_decisions_total", "backend", "local", "outcome", "denied") > 0);

    server.restart();
    for (Gatehouse g : gateways) awaitValue(g, "gatehouse_rate_limit_fallback_active", 0.0);
    // The restarted server has no buckets: the shared one starts full and the three share it again.
    int[] resumed = roundRobin(5 * limit, new ArrayList<>());
    assertEquals(limit, resumed[0] + resumed[1] + resumed[2], "shared limiting resumed: " + java.util.Arrays.toString(resumed));
    List<String> lines = invariants.logLines();
    assertEquals(3, lines.stream().filter(l -> l.contains("rate limits fall back to local")).count(), "one line per instance: " + lines);
    assertEquals(3, lines.stream().filter(l -> l.contains("shared rate limits resume")).count(), "one line per instance: " + lines);
  }

  /** {@code n} requests from this address round-robin; how many each instance admitted; each one's time in ms added to {@code times}. */
  private int[] roundRobin(int n, List<Long> times) {
    int[] admitted = new int[3];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      RawHttp.Response r = RawHttp.get(gateways.get(i % 3).port(), "/api/public/x");
      times.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      if (r.status() == 200) {
        admitted[i % 3]++;
      } else {
        assertEquals(429, r.status(), r.text());
      }
    }
    return admitted;
  }

  private static long max(List<Long> times) {
    return times.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  // ---- the fleet ----

  private String sharedRedis() {
    return fleet.redis(fleet.sharedRedis(), "timeout: 1s");
  }

  /** Three gateways, clocks {@link #SKEWS}, with {@code redis} and {@code rateLimits} as their top-level config. */
  private void startFleet(String redis, String rateLimits) throws Exception {
    TestDatabases.Db db = fleet.own(TestDatabases.postgres());
    String yaml = fleet.config(
        "auth:",
        Fleet.JWT,
        "  api_keys:",
        "    store: \"" + db.store() + "\"",
        "    db_timeout: 2s",
        Fleet.ADMIN_API,
        redis,
        rateLimits,
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {id: public, match: {prefix: /api/public/}, upstream: app, policy: public}",
        "  - {id: keys, match: {prefix: /api/keys/}, upstream: app, policy: api_key}",
        "  - {id: api, match: {prefix: /api/}, upstream: app, policy: jwt}");
    for (Duration skew : SKEWS) fleet.start(Clock.offset(Clock.systemUTC(), skew), yaml);
  }

  /** A token of {@code subject} that every skewed instance accepts: issued a minute before the slowest clock. */
  private String token(String subject, String jti) {
    String t = TestTokens.signedBy(TestKeys.rsa(), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1)))
        .claim("sub", subject).claim("jti", jti).sign();
    return invariants.secret(t);
  }

  private JsonObject createKey(Gatehouse g, String body) {
    JsonObject k = Fleet.createKey(g, body);
    invariants.secret(k.getString("key"));
    return k;
  }

  private static double value(Gatehouse g, String name, String... labels) {
    List<Scrape.Sample> found = Fleet.scrape(g).find(name, labels);
    return found.isEmpty() ? 0.0 : found.stream().mapToDouble(Scrape.Sample::value).sum();
  }

  private static void awaitValue(Gatehouse g, String name, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (value(g, name) != expected) {
      if (System.nanoTime() > deadline) throw new AssertionError(name + " is " + value(g, name) + ", not " + expected);
      Thread.sleep(20);
    }
  }
}
