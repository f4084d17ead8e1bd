package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.revoke.DenyEntry;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TcpProxy;
import gatehouse.testing.TestRedis;
import gatehouse.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §3, the deny-list: three gateways in this process share one Redis (the machine's, under
 * a key prefix of this run; or a Redis of the test's own where it is killed). A token is first
 * cached as verified on all three; it is denied through A's admin API; B and C are polled until
 * they answer 401. The time from the POST until both refuse is measured over 100 denials.
 */
class DenyListFleetIT {
  private static final int DENIALS = 100;
  private static final Duration LIMIT = Duration.ofSeconds(1);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final Fleet harness = new Fleet(false);
  private LocalAuthorizationServer as;

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  private List<Gatehouse> startFleet(String redis) throws Exception {
    return startFleet(List.of(redis, redis, redis));
  }

  /** Three instances on one Vert.x; instance i's {@code redis} section names {@code redisLocations.get(i)}. */
  private List<Gatehouse> startFleet(List<String> redisLocations) throws Exception {
    as = harness.own(LocalAuthorizationServer.start(harness.vertx));
    for (String redis : redisLocations) {
      harness.start(Clock.systemUTC(), harness.config(
          harness.redis(redis, "timeout: 1s"),
          "auth:",
          Fleet.JWT,
          "  introspection:",
          "    - name: corp",
          "      endpoint: \"" + as.endpoint() + "\"",
          "      client_id: " + LocalAuthorizationServer.CLIENT_ID,
          "      client_secret: \"" + LocalAuthorizationServer.CLIENT_SECRET + "\"",
          "  api_keys:",
          Fleet.ADMIN_API,
          "routes:",
          "  - {id: api, match: {prefix: /api/}, upstream: app}"));
    }
    return harness.gateways;
  }

  private HttpResponse<String> get(Gatehouse i, String token) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + "/api/orders"))
        .header("Authorization", "Bearer " + token).GET().build());
  }

  private HttpResponse<String> admin(Gatehouse i, String method, String path, JsonObject body) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.adminPort() + path))
        .header("Authorization", "Bearer " + Fleet.ADMIN_TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  private HttpResponse<String> send(HttpRequest r) {
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String jwt(String subject, String jti, long iat) {
    return TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", subject).claim("jti", jti).claim("iat", iat).sign();
  }

  /** Accepted (and so cached as verified) by every instance. */
  private void acceptedEverywhere(List<Gatehouse> fleet, String token) {
    for (Gatehouse i : fleet) assertEquals(200, get(i, token).statusCode(), "accepted before it is denied");
  }

  /** Nanoseconds from now until every instance in {@code others} refuses {@code token} as revoked; fails after 5 s. */
  private long untilRefused(List<Gatehouse> others, String token, long start) {
    long deadline = start + TimeUnit.SECONDS.toNanos(5);
    for (Gatehouse i : others) {
      while (true) {
        HttpResponse<String> r = get(i, token);
        if (r.statusCode() == 401) {
          assertEquals("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"token_revoked\"",
              r.headers().firstValue("WWW-Authenticate").orElse(""));
          break;
        }
        assertEquals(200, r.statusCode());
        assertTrue(System.nanoTime() < deadline, "still accepted 5 s after the denial");
      }
    }
    return System.nanoTime() - start;
  }

  /** Denies {@link #DENIALS} tokens through A, each made by {@code mint}, and reports the spread of the time B and C took. */
  private void measure(List<Gatehouse> fleet, String what, Supplier<String[]> mint) {
    List<Long> nanos = new ArrayList<>();
    for (int n = 0; n < DENIALS; n++) {
      String[] tokenAndBody = mint.get();
      String token = tokenAndBody[0];
      acceptedEverywhere(fleet, token);
      long start = System.nanoTime();
      HttpResponse<String> added = admin(fleet.get(0), "POST", "/denylist", new JsonObject(tokenAndBody[1]));
      assertEquals(201, added.statusCode(), added.body());
      assertEquals(401, get(fleet.get(0), token).statusCode(), "refused at once by the instance that took the denial");
      nanos.add(untilRefused(fleet.subList(1, 3), token, start));
    }
    Collections.sort(nanos);
    double p50 = nanos.get(DENIALS / 2) / 1e6;
    double p99 = nanos.get(DENIALS * 99 / 100 - 1) / 1e6;
    double max = nanos.get(DENIALS - 1) / 1e6;
    System.out.printf("deny-list %s: %d denials through A until B and C refuse: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        what, DENIALS, p50, p99, max);
    assertTrue(p99 < LIMIT.toMillis(), what + ": p99 " + p99 + " ms");
  }

  @Test
  void aJwtDeniedThroughOneInstanceIsRefusedByTheOthersWithinASecond() throws Exception {
    List<Gatehouse> fleet = startFleet(harness.sharedRedis());
    measure(fleet, "jwt (jti and token hash)", jwtDenials());
    String scrape = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.get(1).adminPort() + "/metrics")).build()).body();
    assertTrue(scrape.contains("gatehouse_denylist_entries " + (double) DENIALS), scrape);
    assertTrue(scrape.contains("gatehouse_tokens_denied_total "), scrape);
  }

  @Test
  void aSubjectCutOffRefusesItsOlderTokensEverywhereAndAcceptsNewerOnes() throws Exception {
    List<Gatehouse> fleet = startFleet(harness.sharedRedis());
    long now = Instant.now().getEpochSecond();
    measure(fleet, "sub cut-off", () -> {
      String sub = "user-" + UUID.randomUUID();
      String older = jwt(sub, UUID.randomUUID().toString(), now - 120);
      return new String[] {older, new JsonObject().put("sub", sub).put("iss", TestTokens.ISSUER)
          .put("before", Instant.ofEpochSecond(now - 60).toString()).encode()};
    });
    String sub = "user-cutoff";
    String older = jwt(sub, "a", now - 120);
    String newer = jwt(sub, "b", now);
    String noIat = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", sub).claim("iat", null).sign();
    String otherSubject = jwt("someone-else", "c", now - 120);
    acceptedEverywhere(fleet, older);
    acceptedEverywhere(fleet, noIat);
    assertEquals(201, admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("sub", sub)
        .put("before", Instant.ofEpochSecond(now - 60).toString())).statusCode());
    untilRefused(fleet.subList(1, 3), older, System.nanoTime());
    untilRefused(fleet.subList(1, 3), noIat, System.nanoTime());
    acceptedEverywhere(fleet, newer);
    acceptedEverywhere(fleet, otherSubject);
  }

  @Test
  void anIntrospectedOpaqueTokenDeniedThroughOneInstanceIsRefusedByTheOthersWithinASecond() throws Exception {
    List<Gatehouse> fleet = startFleet(harness.sharedRedis());
    measure(fleet, "opaque token", () -> {
      String token = "opaque-" + UUID.randomUUID();
      as.activate(token, new JsonObject().put("sub", "carol").put("exp", Instant.now().getEpochSecond() + 3600));
      return new String[] {token, new JsonObject().put("token", token).encode()};
    });
    assertEquals(3 * DENIALS, as.callCount(), "each token was introspected once per instance: the refusals came from cached answers");
  }

  @Test
  void entriesAddedWhileRedisIsDownAreSeenEverywhereAfterItReturnsAndNoneIsForgotten() throws Exception {
    TestRedis.Server redis = harness.own(TestRedis.Server.start());
    List<Gatehouse> fleet = startFleet(Fleet.url(redis.endpoint()));
    String before = jwt("alice", "before-outage", Instant.now().getEpochSecond());
    String during = jwt("alice", "during-outage", Instant.now().getEpochSecond());
    acceptedEverywhere(fleet, before);
    acceptedEverywhere(fleet, during);
    assertEquals(201, admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "before-outage").put("iss", TestTokens.ISSUER)).statusCode());
    untilRefused(fleet.subList(1, 3), before, System.nanoTime());

    redis.kill();
    HttpResponse<String> added = admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "during-outage").put("iss", TestTokens.ISSUER));
    assertEquals(202, added.statusCode(), added.body());
    assertEquals(false, new JsonObject(added.body()).getBoolean("shared"));
    assertEquals(401, get(fleet.get(0), during).statusCode(), "enforced at once where it was added");
    for (Gatehouse i : fleet) assertEquals(401, get(i, before).statusCode(), "the local copy is enforced while Redis is down");
    assertEquals(200, get(fleet.get(1), during).statusCode(), "not shared while Redis is down");

    // A restart without persistence: Redis comes back empty.
    redis.restart();
    untilRefused(fleet.subList(1, 3), during, System.nanoTime());
    for (Gatehouse i : fleet) assertEquals(401, get(i, before).statusCode(), "an entry Redis lost is written back, not forgotten");
    String listed = admin(fleet.get(2), "GET", "/denylist", null).body();
    assertEquals(2, new JsonObject(listed).getJsonArray("entries").size(), listed);
    assertEquals(2L, TestRedis.send(harness.vertx, redis.endpoint(), false,
        io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HLEN).arg(harness.prefix + "{denylist}")).toLong());
  }

  @Test
  void anInstanceCutOffFromRedisSharesTheChangesItMadeMeanwhileWhenItReconnects() throws Exception {
    String shared = harness.sharedRedis();
    TcpProxy toRedis = harness.own(new TcpProxy(harness.vertx, 6379).start());
    List<Gatehouse> fleet = startFleet(List.of(Fleet.url("redis://" + toRedis.hostPort()), shared, shared));
    String first = jwt("alice", "first", Instant.now().getEpochSecond());
    String second = jwt("alice", "second", Instant.now().getEpochSecond());
    acceptedEverywhere(fleet, first);
    acceptedEverywhere(fleet, second);
    HttpResponse<String> added = admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "first").put("iss", TestTokens.ISSUER));
    assertEquals(201, added.statusCode());
    untilRefused(fleet.subList(1, 3), first, System.nanoTime());

    toRedis.stop();
    HttpResponse<String> cut = admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "second").put("iss", TestTokens.ISSUER));
    assertEquals(202, cut.statusCode(), cut.body());
    assertEquals(503, admin(fleet.get(0), "DELETE", "/denylist/" + new JsonObject(added.body()).getString("id"), null).statusCode());
    assertEquals(401, get(fleet.get(0), second).statusCode());
    assertEquals(200, get(fleet.get(0), first).statusCode(), "the removal holds on A at once");
    assertEquals(200, get(fleet.get(1), second).statusCode(), "B cannot know yet");

    toRedis.start();
    untilRefused(fleet.subList(1, 3), second, System.nanoTime());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (get(fleet.get(1), first).statusCode() != 200 || get(fleet.get(2), first).statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "the removal made while A was cut off reached B and C");
    }
  }

  /** Waits until every instance follows the list on Redis ({@code gatehouse_denylist_synced 1}); fails after 20 s. */
  private void synced(List<Gatehouse> fleet) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Gatehouse i : fleet) {
      while (!send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.adminPort() + "/metrics")).build()).body()
          .contains("gatehouse_denylist_synced 1.0")) {
        assertTrue(System.nanoTime() < deadline, "an instance did not follow the deny-list on Redis within 20 s");
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  /** A JWT of alice's denied alternately by jti and by the token's hash. */
  private Supplier<String[]> jwtDenials() {
    int[] n = {0};
    return () -> {
      String jti = UUID.randomUUID().toString();
      String token = jwt("alice", jti, Instant.now().getEpochSecond());
      JsonObject body = n[0]++ % 2 == 0 ? new JsonObject().put("jti", jti).put("iss", TestTokens.ISSUER)
          : new JsonObject().put("token_sha256", DenyEntry.sha256(token));
      return new String[] {token, body.encode()};
    };
  }

  @Test
  void onAThreeNodeRedisClusterADenialReachesTheOtherInstancesWithinASecond() throws Exception {
    TestRedis.Cluster cluster = harness.own(TestRedis.Cluster.start());
    // The first seed does not serve the list's slot: every instance must find the node that does.
    List<Gatehouse> fleet = startFleet(Fleet.nodes(cluster.endpointsStartingWith(cluster.notServing(harness.prefix + "{denylist}"))));
    synced(fleet);
    measure(fleet, "jwt on a 3-node Redis Cluster", jwtDenials());
  }

  @Test
  void onAClusterTheNodeHoldingTheListRestartingEmptyGetsEveryEntryBack() throws Exception {
    TestRedis.Cluster cluster = harness.own(TestRedis.Cluster.start());
    String hash = harness.prefix + "{denylist}";
    TestRedis.Server holder = cluster.serving(hash);
    // Seeds start with a node that does not hold the list, so a subscription on the first seed
    // would outlive the holder's restart and never see that the list was lost.
    List<Gatehouse> fleet = startFleet(Fleet.nodes(cluster.endpointsStartingWith(cluster.notServing(hash))));
    synced(fleet);
    String before = jwt("alice", "before-restart", Instant.now().getEpochSecond());
    acceptedEverywhere(fleet, before);
    assertEquals(201, admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "before-restart").put("iss", TestTokens.ISSUER)).statusCode());
    untilRefused(fleet.subList(1, 3), before, System.nanoTime());

    holder.kill();
    holder.restart();
    // Back with its slots (nodes.conf kept) and no data: the instances write their entries back.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long held = 0;
    while (held != 1) {
      assertTrue(System.nanoTime() < deadline, "the entry was not written back to the restarted node");
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      try {
        held = TestRedis.send(harness.vertx, holder.endpoint(), false, io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HLEN).arg(hash)).toLong();
      } catch (AssertionError notYet) {
        held = 0;
      }
    }
    for (Gatehouse i : fleet) assertEquals(401, get(i, before).statusCode(), "an entry the Cluster lost is not forgotten");
    String after = jwt("alice", "after-restart", Instant.now().getEpochSecond());
    acceptedEverywhere(fleet, after);
    assertEquals(201, admin(fleet.get(0), "POST", "/denylist", new JsonObject().put("jti", "after-restart").put("iss", TestTokens.ISSUER)).statusCode());
    untilRefused(fleet.subList(1, 3), after, System.nanoTime());
  }
}
