package gatehouse.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.credential.CredentialExtractor;
import gatehouse.identity.IdentityHeaders;
import gatehouse.limit.Limits;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.route.RouteTable;
import gatehouse.testing.MutableClock;
import gatehouse.testing.UnavailableRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.nio.file.Path;
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
 * The conductor without a server: every policy × credential × validity combination is one row,
 * with authenticators that answer as the row says (test doubles behind the real interface).
 */
class PipelineTest {
  private static final String YAML = String.join("\n",
      "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
      "routes:",
      "  - {match: {prefix: /public/}, upstream: app, policy: public}",
      "  - {match: {prefix: /jwt/}, upstream: app, policy: jwt}",
      "  - {match: {prefix: /admin/}, upstream: app, policy: {jwt: {roles: [admin]}}}",
      "  - {match: {prefix: /key/}, upstream: app, policy: api_key}",
      "  - {match: {prefix: /write/}, upstream: app, policy: {api_key: {scopes: [orders:write]}}}",
      "  - {match: {prefix: /any/}, upstream: app, policy: any}",
      "");

  /**
   * Bearer tokens: "good" (a user), "bad", "down"; API keys: "good-key" (orders:read), "limited-key"
   * (orders:read, 2 a minute), "bad-key".
   */
  private static final Authenticator BEARER = c -> Future.succeededFuture(switch (c.secret().reveal()) {
    case "good" -> new Authentication.Authenticated(new Identity("alice", Scheme.JWT, "main", Set.of("user"), Set.of(),
        VerifiedClaims.of(Map.of("sub", "alice")), Optional.empty()));
    case "object-claim" -> new Authentication.Authenticated(new Identity("alice", Scheme.JWT, "main", Set.of("user"), Set.of(),
        VerifiedClaims.of(Map.of("sub", "alice", "email", Map.of("a", 1L))), Optional.empty()));
    case "down" -> new Authentication.Unverifiable("jwks:main");
    default -> new Authentication.Rejected(new AuthFailure("bad_signature", "test"));
  });
  private static final Identity ACME = new Identity("acme", Scheme.API_KEY, "keys", Set.of(), Set.of("orders:read"),
      VerifiedClaims.of(Map.of("owner_id", "acme")), Optional.empty());
  private static final Authenticator KEYS = c -> Future.succeededFuture(switch (c.secret().reveal()) {
    case "good-key" -> new Authentication.Authenticated(ACME);
    case "limited-key" -> new Authentication.Authenticated(ACME, Optional.of(new CredentialLimit("k7", 2, Duration.ofMinutes(1))));
    default -> new Authentication.Rejected(new AuthFailure("unknown_key", "test"));
  });

  private static Pipeline pipeline;

  private static Pipeline pipeline() throws Exception {
    if (pipeline == null) pipeline = pipeline(RateLimiter.local(MutableClock.start()));
    return pipeline;
  }

  private static Pipeline pipeline(RateLimiter limiter) throws Exception {
    GatehouseConfig config = ConfigLoader.parse("gatehouse.yaml", YAML, Path.of("."), name -> null);
    return new Pipeline(RouteTable.compile(config.routes(), "gatehouse.yaml"),
        new CredentialExtractor(config.auth().apiKeys()),
        new Authenticators(Optional.of(BEARER), Optional.of(KEYS)), Limits.compile(limiter, config.rateLimits(), config.routes(), MutableClock.start()),
        new IdentityHeaders(config));
  }

  private static Outcome run(Pipeline p, String target, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) h.add(headers[i], headers[i + 1]);
    return p.process(new RequestHead("GET", target, "gw.test", h)).result();
  }

  private static String reply(Outcome o) {
    if (o instanceof Outcome.Forward) return "forward";
    ErrorResponses.Reply reply = ErrorResponses.of(((Outcome.Reject) o).rejection());
    return reply.status() + " " + reply.code();
  }

  private static String run(String target, String... headers) throws Exception {
    return reply(run(pipeline(), target, headers));
  }

  static Stream<Arguments> matrix() {
    String[] credentials = {"none", "jwt good", "jwt bad", "jwt down", "key good", "key bad"};
    Map<String, String[]> expected = Map.of(
        "/public/", new String[] {"forward", "forward", "forward", "forward", "forward", "forward"},
        "/jwt/", new String[] {"401 unauthenticated", "forward", "401 invalid_token", "503 dependency_unavailable", "401 unauthenticated", "401 unauthenticated"},
        "/admin/", new String[] {"401 unauthenticated", "403 missing_role", "401 invalid_token", "503 dependency_unavailable", "401 unauthenticated", "401 unauthenticated"},
        "/key/", new String[] {"401 api_key_required", "401 api_key_required", "401 api_key_required", "401 api_key_required", "forward", "401 invalid_api_key"},
        "/write/", new String[] {"401 api_key_required", "401 api_key_required", "401 api_key_required", "401 api_key_required", "403 insufficient_scope", "401 invalid_api_key"},
        "/any/", new String[] {"401 unauthenticated", "forward", "401 invalid_token", "503 dependency_unavailable", "forward", "401 invalid_api_key"});
    return expected.entrySet().stream().flatMap(e -> {
      Stream.Builder<Arguments> rows = Stream.builder();
      for (int i = 0; i < credentials.length; i++) rows.add(Arguments.of(e.getKey(), credentials[i], e.getValue()[i]));
      return rows.build();
    });
  }

  @ParameterizedTest(name = "{0} with {1} -> {2}")
  @MethodSource("matrix")
  void everyPolicyAnswersEveryCredentialAsSpecified(String route, String credential, String expected) throws Exception {
    String[] headers = switch (credential) {
      case "none" -> new String[0];
      case "jwt good" -> new String[] {"Authorization", "Bearer good"};
      case "jwt bad" -> new String[] {"Authorization", "Bearer bad"};
      case "jwt down" -> new String[] {"Authorization", "Bearer down"};
      case "key good" -> new String[] {"X-API-Key", "good-key"};
      case "key bad" -> new String[] {"X-API-Key", "bad-key"};
      default -> throw new AssertionError(credential);
    };
    assertEquals(expected, run(route + "x", headers));
  }

  @Test
  void anIdentityTheHeadersCannotCarryIsRefusedAsAnInvalidCredential() throws Exception {
    assertEquals("401 invalid_token", run("/jwt/x", "Authorization", "Bearer object-claim"));
    Outcome.Reject r = (Outcome.Reject) pipeline().process(new RequestHead("GET", "/jwt/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer object-claim"))).result();
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"unrepresentable_claim: email\""),
        ErrorResponses.of(r.rejection()).challenge());
  }

  /** Issue 18: a 403 names who was refused, for the access log. */
  @Test
  void aForbiddenOutcomeCarriesTheRefusedIdentity() throws Exception {
    Outcome.Reject jwt = (Outcome.Reject) pipeline().process(new RequestHead("GET", "/admin/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer good"))).result();
    assertEquals("403 missing_role", ErrorResponses.of(jwt.rejection()).status() + " " + ErrorResponses.of(jwt.rejection()).code());
    assertEquals(Optional.of("alice"), jwt.identity().map(Identity::subject));
    Outcome.Reject key = (Outcome.Reject) pipeline().process(new RequestHead("GET", "/write/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("X-API-Key", "good-key"))).result();
    assertEquals(Optional.of("acme"), key.identity().map(Identity::subject));
    Outcome.Reject invalid = (Outcome.Reject) pipeline().process(new RequestHead("GET", "/admin/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer bad"))).result();
    assertEquals(Optional.empty(), invalid.identity(), "no identity was established");
  }

  @Test
  void anAmbiguousTargetIsRefusedBeforeRouting() throws Exception {
    assertEquals("400 encoded_slash", run("/public%2Fx"));
  }

  @Test
  void noRouteIs404() throws Exception {
    assertEquals("404 no_route", run("/elsewhere"));
  }

  @Test
  void aCaseVariantOfAnotherRoutesPathIsRefusedBeforeCredentials() throws Exception {
    // Issue 17: /Admin/ takes no route as sent and the admin route ignoring case.
    assertEquals("400 ambiguous_case", run("/Admin/x", "Authorization", "Bearer good"));
    assertEquals("400 ambiguous_case", run("/%41dmin/x"));
  }

  @Test
  void anApiKeyFromTheQueryIsRemovedFromTheUpstreamTargetAndItsHeaderIsDropped() throws Exception {
    Outcome.Forward f = (Outcome.Forward) pipeline().process(new RequestHead("GET", "/key/x?a=1&api_key=good-key&b=2", "gw.test",
        MultiMap.caseInsensitiveMultiMap())).result();
    assertEquals("/key/x?a=1&b=2", f.upstreamTarget());
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().add("X-API-Key", "good-key").add("X-Owner-Id", "mallory");
    f.edits().accept(upstream);
    assertFalse(upstream.contains("X-API-Key"));
    assertEquals("acme", upstream.get("X-Owner-Id"));
  }

  /** Issue 17: on a public route nothing is consumed, yet the gateway's own carriers still go. */
  @Test
  void onAPublicRouteTheApiKeyHeaderAndTheOwnedQueryParametersAreRemovedToo() throws Exception {
    Outcome.Forward f = (Outcome.Forward) pipeline().process(new RequestHead("GET", "/public/x?a=1&API_KEY=k;access_token=t&b=2",
        "gw.test", MultiMap.caseInsensitiveMultiMap())).result();
    assertEquals("/public/x?a=1&b=2", f.upstreamTarget());
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().add("x_api_key", "k").add("X-Api-Key", "k").add("Authorization", "Basic YQ==");
    f.edits().accept(upstream);
    assertEquals(List.of("Authorization"), List.copyOf(upstream.names()));
  }

  @Test
  void theAccessLogNeverSeesTheCredentialOnlyItsFingerprint() throws Exception {
    Outcome o = pipeline().process(new RequestHead("GET", "/jwt/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer bad"))).result();
    Outcome.Reject r = (Outcome.Reject) o;
    assertEquals(Optional.of(new gatehouse.secret.Secret("bad").fingerprint()), r.credentialFingerprint());
    assertFalse(r.toString().contains("Bearer bad"));
  }

  @Test
  void aKeysOwnLimitIsTakenAfterAuthorizationAndAnsweredWithTheRateLimitFields() throws Exception {
    MutableClock clock = MutableClock.start();
    Pipeline p = pipeline(RateLimiter.local(clock));
    // Authorization comes first: a refused request takes no token.
    assertEquals("403 insufficient_scope", reply(run(p, "/write/x", "X-API-Key", "limited-key")));
    Outcome.Forward first = (Outcome.Forward) run(p, "/key/x", "X-API-Key", "limited-key");
    assertEquals(Map.of("RateLimit-Limit", "2", "RateLimit-Remaining", "1", "RateLimit-Reset", "30", "RateLimit-Policy", "2;w=60"),
        first.responseHeaders());
    assertEquals("forward", reply(run(p, "/key/x", "X-API-Key", "limited-key")));
    Outcome.Reject limited = (Outcome.Reject) run(p, "/key/x", "X-API-Key", "limited-key");
    assertEquals(new Rejection.RateLimited(Duration.ofSeconds(30), Optional.of(new gatehouse.authn.Quota(2, Duration.ofMinutes(1), 0,
        Duration.ofMinutes(1)))), limited.rejection());
    assertEquals("forward", reply(run(p, "/key/x", "X-API-Key", "good-key")), "a key without a limit of its own is not counted");
    clock.advance(Duration.ofSeconds(30));
    assertEquals("forward", reply(run(p, "/key/x", "X-API-Key", "limited-key")));
  }

  @Test
  void aLimiterThatCannotAnswerFailsClosedWith503AndNothingReachesTheUpstream() throws Exception {
    UnavailableRateLimiter limiter = new UnavailableRateLimiter();
    Pipeline p = pipeline(limiter);
    Outcome.Reject r = (Outcome.Reject) run(p, "/key/x", "X-API-Key", "limited-key");
    assertEquals(new Rejection.LimiterUnavailable("test: the shared limiter did not answer", Duration.ofSeconds(5)), r.rejection());
    assertEquals("503 rate_limiter_unavailable", reply(r));
    assertEquals(List.of("key:k7"), limiter.asked());
    // Only buckets that apply are asked about: none on these requests.
    assertEquals("forward", reply(run(p, "/key/x", "X-API-Key", "good-key")));
    assertEquals("forward", reply(run(p, "/public/x")));
    assertEquals(List.of("key:k7"), limiter.asked());
  }

  @Test
  void anAddressOverItsFailedAuthenticationsIsRefused429BeforeItsNextCredentialIsVerified() throws Exception {
    MutableClock clock = MutableClock.start();
    GatehouseConfig config = ConfigLoader.parse("gatehouse.yaml", YAML + "failed_auth_limit: {requests: 2, per: 1m}\n", Path.of("."),
        name -> null);
    java.util.concurrent.atomic.AtomicInteger verified = new java.util.concurrent.atomic.AtomicInteger();
    Authenticator counting = c -> {
      verified.incrementAndGet();
      return BEARER.authenticate(c);
    };
    Pipeline p = new Pipeline(RouteTable.compile(config.routes(), "gatehouse.yaml"), new CredentialExtractor(config.auth().apiKeys()),
        new Authenticators(Optional.of(counting), Optional.of(KEYS)),
        Limits.compile(RateLimiter.local(clock), config.rateLimits(), config.routes(), clock), new IdentityHeaders(config));
    java.util.function.BiFunction<String, String, String> from = (address, token) -> reply(p.process(new RequestHead("GET", "/jwt/x", "gw.test",
        token == null ? MultiMap.caseInsensitiveMultiMap() : MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token),
        Optional.empty(), address)).result());

    assertEquals("401 invalid_token", from.apply("192.0.2.1", "bad"));
    assertEquals("forward", from.apply("192.0.2.1", "good"), "a success is not counted");
    assertEquals("401 invalid_token", from.apply("192.0.2.1", "bad"));
    assertEquals(3, verified.get());
    Outcome.Reject screened = (Outcome.Reject) p.process(new RequestHead("GET", "/jwt/x", "gw.test",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer good"), Optional.empty(), "192.0.2.1")).result();
    assertEquals(new Rejection.RateLimited(Duration.ofSeconds(30), Optional.of(new gatehouse.authn.Quota(2, Duration.ofMinutes(1), 0,
        Duration.ofMinutes(1)))), screened.rejection());
    assertEquals(3, verified.get(), "refused unverified, even a valid credential");
    assertEquals("forward", from.apply("192.0.2.2", "good"), "another address is not affected");
    assertEquals("401 unauthenticated", from.apply("192.0.2.1", null), "no credential: nothing to verify, nothing to screen");
    assertEquals("forward", reply(p.process(new RequestHead("GET", "/public/x", "gw.test", MultiMap.caseInsensitiveMultiMap(),
        Optional.empty(), "192.0.2.1")).result()), "public routes stay open to the address");
    clock.advance(Duration.ofSeconds(30));
    assertEquals("forward", from.apply("192.0.2.1", "good"));
  }

  /** Records which stage answered what, in order. */
  private static final class Stages implements StageListener {
    final List<String> told = new java.util.ArrayList<>();

    @Override public void target(gatehouse.route.Target t) { told.add("target " + t.getClass().getSimpleName()); }
    @Override public void routing(gatehouse.route.Routing r) { told.add("routing " + r.getClass().getSimpleName()); }
    @Override public void extraction(gatehouse.credential.Extraction e) { told.add("extraction " + e.getClass().getSimpleName()); }
    @Override public void authentication(Authentication a) { told.add("authentication " + a.getClass().getSimpleName()); }
    @Override public void decision(gatehouse.authz.Decision d) { told.add("decision " + d.getClass().getSimpleName()); }
    @Override public void admission(gatehouse.limit.Admission a) { told.add("admission " + a.getClass().getSimpleName()); }
    @Override public void plan(gatehouse.identity.HeaderPlan p) { told.add("plan " + p.getClass().getSimpleName()); }
  }

  private static List<String> traced(String target, String... headers) throws Exception {
    GatehouseConfig config = ConfigLoader.parse("gatehouse.yaml", YAML, Path.of("."), name -> null);
    Stages stages = new Stages();
    Pipeline p = new Pipeline(RouteTable.compile(config.routes(), "gatehouse.yaml"), new CredentialExtractor(config.auth().apiKeys()),
        new Authenticators(Optional.of(BEARER), Optional.of(KEYS)),
        Limits.compile(RateLimiter.local(MutableClock.start()), config.rateLimits(), config.routes(), MutableClock.start()),
        new IdentityHeaders(config), stages);
    run(p, target, headers);
    return stages.told;
  }

  @Test
  void aTraceIsToldEachStagesAnswerInOrderAndNothingPastTheFirstRefusal() throws Exception {
    assertEquals(List.of("target Parsed", "routing Found", "extraction Found", "authentication Authenticated", "decision Allow",
        "admission Admitted", "plan Planned"), traced("/jwt/x", "Authorization", "Bearer good"));
    assertEquals(List.of("target Parsed", "routing Found", "extraction Found", "authentication Authenticated", "decision Deny"),
        traced("/admin/x", "Authorization", "Bearer good"));
    assertEquals(List.of("target Parsed", "routing Found", "extraction Found", "authentication Rejected"),
        traced("/jwt/x", "Authorization", "Bearer bad"));
    assertEquals(List.of("target Parsed", "routing Found", "extraction None", "admission Admitted"), traced("/public/x"));
    assertEquals(List.of("target Parsed", "routing NotFound"), traced("/nowhere"));
    assertEquals(List.of("target Ambiguous"), traced("/a/%2e%2e/b"));
  }
}
