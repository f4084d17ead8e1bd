package gatehouse.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Quota;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.Policy;
import gatehouse.config.RateLimitConfig;
import gatehouse.config.RateLimitConfig.By;
import gatehouse.config.RateLimitsConfig;
import gatehouse.config.RouteConfig;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.Verdict;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which buckets apply to a request (a matrix of configured limits × route × identity), how their
 * verdicts combine into one admission, and failed-authentication screening.
 */
class LimitsTest {
  private static final Limit TEN = Limit.perMinute(10);
  private static final Limit HUNDRED = Limit.perMinute(100);

  static final RouteConfig ORDERS = route("orders", List.of(new RateLimitConfig(By.ROUTE, 50, Duration.ofSeconds(1)),
      new RateLimitConfig(By.ADDRESS, 5, Duration.ofMinutes(1)), new RateLimitConfig(By.KEY, 30, Duration.ofMinutes(1))));
  static final RouteConfig OPEN = route("open", List.of());
  static final RateLimitsConfig TOP = new RateLimitsConfig(List.of(new RateLimitConfig(By.GLOBAL, 100, Duration.ofSeconds(1)),
      new RateLimitConfig(By.ADDRESS, 10, Duration.ofSeconds(1)), new RateLimitConfig(By.SUBJECT, 60, Duration.ofMinutes(1))), Optional.empty());

  static final Identity ALICE = jwt("alice", Map.of("sub", "alice"));
  static final Identity CLIENT_ONLY = jwt("", Map.of("azp", "svc-a", "client_id", "other"));
  static final Identity NAMELESS = jwt("", Map.of());
  static final Identity ACME_KEY = new Identity("acme", Scheme.API_KEY, "api_keys", Set.of(), Set.of(),
      VerifiedClaims.of(Map.of("owner_id", "acme", "key_id", "k1")), Optional.empty());
  static final Optional<CredentialLimit> OWN = Optional.of(new CredentialLimit("k1", 600, Duration.ofMinutes(1)));

  static RouteConfig route(String id, List<RateLimitConfig> limits) {
    return new RouteConfig(id, 1, new RouteConfig.Match(Optional.empty(), Optional.of("/" + id + "/"), Optional.empty(), Set.of(), Optional.empty()),
        "app", new Policy.Public(), Optional.empty(), Optional.empty(), Optional.empty(), 1 << 20, true, Optional.empty(), limits);
  }

  static Identity jwt(String subject, Map<String, Object> claims) {
    return new Identity(subject, Scheme.JWT, "main", Set.of(), Set.of(), VerifiedClaims.of(claims), Optional.empty());
  }

  static Stream<Arguments> matrix() {
    String global = "*|100/1000ms|global";
    String address = "*|10/1000ms|addr:192.0.2.1";
    String route = "route6:orders|50/1000ms|route:orders";
    String routeAddress = "route6:orders|5/60000ms|addr:192.0.2.1";
    return Stream.of(
        Arguments.of("no configured limit, a key with its own: exactly today's bucket", RateLimitsConfig.NONE, OPEN, Optional.empty(), OWN,
            List.of("key:k1")),
        Arguments.of("no configured limit, nothing of its own: no bucket", RateLimitsConfig.NONE, OPEN, Optional.of(ALICE), Optional.empty(),
            List.of()),
        Arguments.of("anonymous on a route without limits: global and address, never subject", TOP, OPEN, Optional.empty(), Optional.empty(),
            List.of(global, address)),
        Arguments.of("a subject on a limited route: top level, then the route's; key limits skip a JWT", TOP, ORDERS, Optional.of(ALICE),
            Optional.empty(), List.of(global, address, "*|60/60000ms|sub:8:JWT:main:alice", route, routeAddress)),
        Arguments.of("a token without sub counts as its client (azp before client_id)", TOP, OPEN, Optional.of(CLIENT_ONLY), Optional.empty(),
            List.of(global, address, "*|60/60000ms|sub:8:JWT:main:svc-a")),
        Arguments.of("a token naming neither shares its provider's nameless bucket", TOP, OPEN, Optional.of(NAMELESS), Optional.empty(),
            List.of(global, address, "*|60/60000ms|sub:8:JWT:main:")),
        Arguments.of("an API key: its own limit first, its owner as subject, its id for by: key", TOP, ORDERS, Optional.of(ACME_KEY), OWN,
            List.of("key:k1", global, address, "*|60/60000ms|sub:16:API_KEY:api_keys:acme", route, routeAddress,
                "route6:orders|30/60000ms|key:k1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void theBucketsThatApplyAreNamedByWhereTheLimitWasWrittenWhatItAllowsAndWhoseRequestsItCounts(String row, RateLimitsConfig top,
      RouteConfig route, Optional<Identity> identity, Optional<CredentialLimit> own, List<String> expected) {
    Limits limits = Limits.compile(RateLimiter.local(MutableClock.start()), top, List.of(ORDERS, OPEN), MutableClock.start());
    assertEquals(expected, limits.charges(route, "192.0.2.1", identity, own).stream().map(Charge::name).toList());
  }

  @Test
  void noBucketAdmitsWithoutAQuota() {
    assertEquals(new Admission.Admitted(Optional.empty()), Limits.decide(List.of()));
  }

  @Test
  void admittedRequestsReportTheBucketWithTheFewestTokensLeft() {
    assertEquals(new Admission.Admitted(Optional.of(new Quota(10, Duration.ofMinutes(1), 3, Duration.ofSeconds(42)))),
        Limits.decide(List.of(new Verdict.Allowed(HUNDRED, 50, Duration.ofSeconds(30)), new Verdict.Allowed(TEN, 3, Duration.ofSeconds(42)))));
  }

  @Test
  void anyEmptyBucketLimitsAndTheLongestWaitIsTheRetryAfter() {
    assertEquals(new Admission.Limited(new Quota(100, Duration.ofMinutes(1), 0, Duration.ofMinutes(1)), Duration.ofSeconds(9)),
        Limits.decide(List.of(new Verdict.Denied(TEN, Duration.ofSeconds(6), Duration.ofMinutes(1)), new Verdict.Allowed(TEN, 3, Duration.ZERO),
            new Verdict.Denied(HUNDRED, Duration.ofSeconds(9), Duration.ofMinutes(1)))));
  }

  @Test
  void aLimiterThatCannotAnswerRefusesEvenWhenAnotherBucketIsEmpty() {
    assertEquals(new Admission.Unavailable("timeout"),
        Limits.decide(List.of(new Verdict.Denied(TEN, Duration.ofSeconds(6), Duration.ofMinutes(1)), new Verdict.Unavailable(HUNDRED, "timeout"))));
  }

  private static final Admission CLEAR = new Admission.Admitted(Optional.empty());

  private static Limits failedAuth(MutableClock clock, int requests) {
    return Limits.compile(RateLimiter.local(clock),
        new RateLimitsConfig(List.of(), Optional.of(new RateLimitConfig(By.ADDRESS, requests, Duration.ofMinutes(1)))), List.of(), clock);
  }

  @Test
  void anIpv6ClientIsCountedByItsSlash64AndAnIpv4ClientByItsAddress() {
    MutableClock clock = MutableClock.start();
    Limits limits = Limits.compile(RateLimiter.local(clock), new RateLimitsConfig(List.of(new RateLimitConfig(By.ADDRESS, 2, Duration.ofMinutes(1))),
        Optional.empty()), List.of(), clock);
    assertEquals("*|2/60000ms|addr:2001:db8:1:2:0:0:0:0/64", limits.charges(OPEN, "2001:db8:1:2:0:0:0:1", Optional.empty(), Optional.empty()).get(0).name());
    assertEquals("*|2/60000ms|addr:192.0.2.1", limits.charges(OPEN, "192.0.2.1", Optional.empty(), Optional.empty()).get(0).name());
    for (String address : List.of("2001:db8:1:2:0:0:0:1", "2001:db8:1:2:0:0:0:2")) {
      assertEquals(Admission.Admitted.class, limits.admit(OPEN, address, Optional.empty(), Optional.empty()).result().getClass());
    }
    assertEquals(Admission.Limited.class, limits.admit(OPEN, "2001:db8:1:2:abcd:0:0:3", Optional.empty(), Optional.empty()).result().getClass(),
        "a third address of the same /64 finds the bucket empty");
    assertEquals(Admission.Admitted.class, limits.admit(OPEN, "2001:db8:1:3:0:0:0:1", Optional.empty(), Optional.empty()).result().getClass(),
        "the next /64 is another client");
  }

  @Test
  void aLimitsIpv6PrefixChoosesTheNetworkItCountsBy() {
    MutableClock clock = MutableClock.start();
    Limits limits = Limits.compile(RateLimiter.local(clock), new RateLimitsConfig(List.of(new RateLimitConfig(By.ADDRESS, 2, Duration.ofMinutes(1), 48)),
        Optional.empty()), List.of(), clock);
    assertEquals("*|2/60000ms|addr:2001:db8:1:0:0:0:0:0/48", limits.charges(OPEN, "2001:db8:1:ffff:0:0:0:1", Optional.empty(), Optional.empty()).get(0).name());
  }

  @Test
  void theLimitsOfTwoConfigsShareTheScreenOfAnEqualFailedAuthLimitAndRetainForgetsOneNoConfigHas() {
    MutableClock clock = MutableClock.start();
    RateLimiter limiter = RateLimiter.local(clock);
    FailedAuthScreens screens = new FailedAuthScreens(clock);
    RateLimitConfig two = new RateLimitConfig(By.ADDRESS, 2, Duration.ofMinutes(1));
    RateLimitsConfig config = new RateLimitsConfig(List.of(), Optional.of(two));
    Limits before = Limits.compile(limiter, screens, config, List.of(), clock);
    before.failed("192.0.2.1").result();
    before.failed("192.0.2.1").result();
    assertEquals(Admission.Limited.class, before.screen("192.0.2.1").getClass());

    Limits reloaded = Limits.compile(limiter, screens, new RateLimitsConfig(List.of(), Optional.of(new RateLimitConfig(By.ADDRESS, 2, Duration.ofMinutes(1)))),
        List.of(OPEN), clock);
    assertEquals(Admission.Limited.class, reloaded.screen("192.0.2.1").getClass(), "an equal limit in the next config: still screened");
    Limits changed = Limits.compile(limiter, screens, new RateLimitsConfig(List.of(), Optional.of(new RateLimitConfig(By.ADDRESS, 3, Duration.ofMinutes(1)))),
        List.of(), clock);
    assertEquals(CLEAR, changed.screen("192.0.2.1"), "a changed limit starts over");
    assertEquals(2, screens.size());

    screens.retain(List.of(new RateLimitConfig(By.ADDRESS, 3, Duration.ofMinutes(1))));
    assertEquals(1, screens.size(), "the set of a limit no live config has is dropped");
    assertEquals(CLEAR, Limits.compile(limiter, screens, config, List.of(), clock).screen("192.0.2.1"));
  }

  @Test
  void failedAuthenticationsFromOneSlash64AreCountedAndScreenedTogether() {
    MutableClock clock = MutableClock.start();
    Limits limits = failedAuth(clock, 3);
    for (int i = 1; i <= 3; i++) limits.failed("2001:db8:1:2:0:0:0:" + i).result();
    assertEquals(Duration.ofSeconds(20), ((Admission.Limited) limits.screen("2001:db8:1:2:0:0:0:99")).retryAfter(),
        "another address of the /64 is screened before its credential is verified");
    assertEquals(CLEAR, limits.screen("2001:db8:1:3:0:0:0:1"), "another /64");
  }

  @Test
  void anAddressIsScreenedOnceItsLastFailureTokenIsUsedUntilOneIsBack() {
    MutableClock clock = MutableClock.start();
    Limits limits = failedAuth(clock, 3);
    for (int i = 0; i < 3; i++) {
      assertEquals(CLEAR, limits.screen("192.0.2.1"), "before failure " + (i + 1));
      limits.failed("192.0.2.1").result();
    }
    assertEquals(new Admission.Limited(new Quota(3, Duration.ofMinutes(1), 0, Duration.ofMinutes(1)), Duration.ofSeconds(20)),
        limits.screen("192.0.2.1"));
    assertEquals(CLEAR, limits.screen("192.0.2.2"), "another address");
    clock.advance(Duration.ofSeconds(19));
    assertEquals(new Admission.Limited(new Quota(3, Duration.ofMinutes(1), 0, Duration.ofSeconds(41)), Duration.ofSeconds(1)),
        limits.screen("192.0.2.1"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(CLEAR, limits.screen("192.0.2.1"), "one token is back");
    limits.failed("192.0.2.1").result();
    assertEquals(Duration.ofSeconds(20), ((Admission.Limited) limits.screen("192.0.2.1")).retryAfter(), "and used again");
  }

  @Test
  void failuresCountedPastAnEmptyBucketScreenUntilTheLimiterSaysATokenIsBack() {
    MutableClock clock = MutableClock.start();
    Limits limits = failedAuth(clock, 2);
    // Two credentials in flight together: both verified, both refused, the second finds no token.
    limits.failed("192.0.2.1").result();
    clock.advance(Duration.ofSeconds(10));
    limits.failed("192.0.2.1").result();
    limits.failed("192.0.2.1").result();
    assertEquals(new Admission.Limited(new Quota(2, Duration.ofMinutes(1), 0, Duration.ofSeconds(50)), Duration.ofSeconds(20)),
        limits.screen("192.0.2.1"));
  }

  @Test
  void withoutAFailedAuthLimitNothingIsCountedOrScreened() {
    MutableClock clock = MutableClock.start();
    Limits limits = Limits.compile(RateLimiter.local(clock), RateLimitsConfig.NONE, List.of(), clock);
    for (int i = 0; i < 100; i++) limits.failed("192.0.2.1").result();
    assertEquals(CLEAR, limits.screen("192.0.2.1"));
  }
}
