package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 section 3, metrics: a real gateway with a remote JWKS provider and an introspection
 * provider, whose servers on 127.0.0.1 are stopped mid-test. {@code /metrics} alone must show the
 * outage, while {@code /ready} still answers 200 (stale keys and the cache carry on).
 */
class DependencyOutageIT {
  private Vertx idpVertx;
  private LocalJwksServer jwks;
  private LocalAuthorizationServer as;
  private GatewayHarness gw;

  @BeforeEach
  void start() {
    idpVertx = TestVertx.create();
    jwks = LocalJwksServer.start(idpVertx, TestKeys.jwks(TestKeys.otherRsa()));
    as = LocalAuthorizationServer.start(idpVertx);
    gw = GatewayHarness.start(String.join("\n",
            "    - name: remote",
            "      issuer: \"" + jwks.issuer() + "\"",
            "      audiences: [" + TestTokens.AUDIENCE + "]",
            "      jwks_uri: \"" + jwks.jwksUri() + "\"",
            "      jwks_min_refresh: 1s",
            "  introspection:",
            "    - name: corp",
            "      endpoint: \"" + as.endpoint() + "\"",
            "      client_id: " + LocalAuthorizationServer.CLIENT_ID,
            "      client_secret: \"" + LocalAuthorizationServer.CLIENT_SECRET + "\"",
            "      negative_cache_ttl: 0s",
            "      breaker_failures: 1",
            "      breaker_cooldown: 60s"),
        "");
    awaitMetrics(m -> m.value("gatehouse_dependency_ready", "name", "jwt:remote") == 1.0, "the first JWKS fetch");
  }

  @AfterEach
  void stop() {
    gw.close();
    jwks.close();
    as.close();
    await(idpVertx.close());
  }

  @Test
  void dependencyReadyDropsToZeroWhileTheJwksServerIsDownAndWhileTheBreakerIsOpen() {
    Scrape before = scrape();
    assertEquals(1.0, before.value("gatehouse_dependency_ready", "name", "jwt:remote"), before.text());
    assertEquals(1.0, before.value("gatehouse_dependency_ready", "name", "introspection:corp"), before.text());

    jwks.close();
    awaitMetrics(m -> {
      unknownKid();
      return m.value("gatehouse_dependency_ready", "name", "jwt:remote") == 0.0;
    }, "jwt:remote down");
    assertEquals(200, RawHttp.get(gw.gateway.adminPort(), "/ready").status(), "stale keys still serve: the gateway stays ready");
    assertEquals(200, call(TestTokens.signedBy(TestKeys.otherRsa(), gw.clock).claim("iss", jwks.issuer()).sign()).status(),
        "a known key still verifies during the outage");

    assertEquals(1.0, scrape().value("gatehouse_dependency_ready", "name", "introspection:corp"));
    as.close();
    assertEquals(503, call("opaque-" + System.nanoTime()).status());
    Scrape open = scrape();
    assertEquals(0.0, open.value("gatehouse_dependency_ready", "name", "introspection:corp"), open.text());
    assertEquals(1.0, open.value("gatehouse_dependency_ready", "name", "jwt:main"), open.text());
  }

  /** The per-provider families, in Prometheus names, from a real outage of both servers. */
  @Test
  void theProviderFamiliesShowFetchesCallsBreakerAndCachesInPrometheusNames() throws Exception {
    String jwt = gw.token("alice", java.util.Map.of());
    assertEquals(200, call(jwt).status());
    assertEquals(200, call(jwt).status());
    String opaque = "opaque-" + System.nanoTime();
    as.activate(opaque, new JsonObject().put("sub", "carol").put("exp", System.currentTimeMillis() / 1000 + 3600));
    assertEquals(200, call(opaque).status());
    assertEquals(200, call(opaque).status());
    jwks.close();
    as.close();
    assertEquals(503, call("opaque-" + System.nanoTime()).status());
    Scrape m = awaitMetrics(s -> {
      unknownKid();
      return s.value("gatehouse_jwks_fetches_total", "provider", "remote", "result", "connect_error") >= 1;
    }, "a failed JWKS fetch counted");
    String text = m.text();
    assertEquals(1.0, m.value("gatehouse_jwks_fetches_total", "provider", "remote", "result", "ok"), text);
    assertEquals(0.0, m.value("gatehouse_jwks_fetches_total", "provider", "remote", "result", "http_error"), text);
    assertTrue(m.value("gatehouse_jwks_key_set_age_seconds", "provider", "remote") >= 1.0, text);
    double lastSuccess = m.value("gatehouse_jwks_last_success_timestamp_seconds", "provider", "remote");
    assertTrue(Math.abs(System.currentTimeMillis() / 1000.0 - lastSuccess) < 60, text);
    assertEquals(1.0, m.value("gatehouse_introspection_calls_total", "provider", "corp", "result", "active"), text);
    assertEquals(1.0, m.value("gatehouse_introspection_calls_total", "provider", "corp", "result", "error"), text);
    assertEquals(2.0, m.value("gatehouse_introspection_duration_seconds_count", "provider", "corp"), text);
    assertEquals(2.0, m.value("gatehouse_introspection_duration_seconds_bucket", "provider", "corp", "le", "+Inf"), text);
    assertEquals(1.0, m.value("gatehouse_introspection_breaker_state", "provider", "corp", "state", "open"), text);
    assertEquals(1.0, m.value("gatehouse_introspection_breaker_transitions_total", "provider", "corp", "to", "open"), text);
    assertEquals(1.0, m.value("cache_gets_total", "cache", "jwt_verified_tokens", "result", "hit"), text);
    assertEquals(1.0, m.value("cache_gets_total", "cache", "introspection:corp", "result", "hit"), text);
    assertEquals(0.0, m.value("cache_evictions_total", "cache", "introspection:corp"), text);
    String readme = gatehouse.testing.Repository.docsText();
    java.util.Set<String> undocumented = new java.util.TreeSet<>();
    for (Scrape.Sample sample : m.samples()) {
      String family = sample.name().replaceAll("_(bucket|count|sum|max)$", "");
      boolean named = java.util.stream.Stream.of(family, sample.name())
          .anyMatch(f -> readme.contains("`" + f + "`") || readme.contains("`" + f + "{"));
      if (!named) undocumented.add(sample.name());
    }
    assertEquals(java.util.Set.of(), undocumented, "exported but not in the README");
  }

  /**
   * The alert rules the docs ship, evaluated (see {@link AlertRules} for the evaluator's limits) on
   * this gateway's {@code /metrics} before and during a real outage of both servers: none fires
   * while all is well; "dependency down", "fetches failing" and "breaker open" fire for exactly the
   * providers that are down; "key set old" does not fire after a second.
   */
  @Test
  void theShippedAlertRulesFireOnARealOutageAndOnlyThen() throws Exception {
    AlertRules rules = AlertRules.load(gatehouse.testing.Repository.dir("monitoring").resolve("prometheus-alerts.yaml"));
    Scrape healthy = scrape();
    for (AlertRules.Rule rule : rules.rules()) {
      assertEquals(java.util.Set.of(), AlertRules.firing(rule, healthy, healthy), rule.alert() + " while all is well");
    }

    jwks.close();
    as.close();
    assertEquals(503, call("opaque-" + System.nanoTime()).status());
    Scrape down = awaitMetrics(m -> {
      unknownKid();
      return m.value("gatehouse_dependency_ready", "name", "jwt:remote") == 0.0;
    }, "jwt:remote down");

    assertEquals(java.util.Set.of(java.util.Map.of("name", "jwt:remote"), java.util.Map.of("name", "introspection:corp")),
        AlertRules.firing(rules.rule("GatehouseDependencyDown"), healthy, down), down.text());
    assertEquals(java.util.Set.of(java.util.Map.of("provider", "remote", "result", "connect_error")),
        AlertRules.firing(rules.rule("GatehouseJwksFetchesFailing"), healthy, down), down.text());
    assertEquals(java.util.Set.of(java.util.Map.of("provider", "corp", "state", "open")),
        AlertRules.firing(rules.rule("GatehouseIntrospectionBreakerOpen"), healthy, down), down.text());
    assertEquals(java.util.Set.of(), AlertRules.firing(rules.rule("GatehouseJwksKeySetOld"), healthy, down), down.text());
    assertEquals(4, rules.rules().size(), "every shipped rule is checked above");
  }

  /** The README shows the shipped rule file as it is. */
  @Test
  void theReadmeShowsTheShippedRuleFile() throws Exception {
    String file = java.nio.file.Files.readString(gatehouse.testing.Repository.dir("monitoring").resolve("prometheus-alerts.yaml"));
    String readme = gatehouse.testing.Repository.docsText();
    String open = "```yaml not-run: a Prometheus rule file, monitoring/prometheus-alerts.yaml\n";
    int start = readme.indexOf(open);
    assertTrue(start >= 0, "README has no block opening " + open);
    int end = readme.indexOf("\n```\n", start + open.length());
    assertEquals(file, readme.substring(start + open.length(), end + 1));
  }

  /** A token of the remote provider with a kid its set lacks: starts a fetch once per jwks_min_refresh. */
  void unknownKid() {
    call(TestTokens.signedBy(TestKeys.rsa(), gw.clock).claim("iss", jwks.issuer()).kid("absent-" + System.nanoTime()).sign());
  }

  RawHttp.Response call(String token) {
    return RawHttp.get(gw.port(), "/api/orders", "Authorization: Bearer " + token);
  }

  Scrape scrape() {
    RawHttp.Response r = RawHttp.get(gw.gateway.adminPort(), "/metrics");
    assertEquals(200, r.status());
    return new Scrape(r.text());
  }

  /** Scrapes until {@code condition} holds, for up to 15 s. */
  Scrape awaitMetrics(Predicate<Scrape> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Scrape s = scrape();
      if (condition.test(s)) return s;
      assertTrue(System.nanoTime() < deadline, "waited 15 s for " + what + ":\n" + s.text());
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
