package gatehouse.pipeline;

import gatehouse.authn.Authentication;
import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Quota;
import gatehouse.authn.Scheme;
import gatehouse.authz.Authorizer;
import gatehouse.authz.Decision;
import gatehouse.config.Policy;
import gatehouse.config.RouteConfig;
import gatehouse.credential.Credential;
import gatehouse.credential.CredentialExtractor;
import gatehouse.credential.Extraction;
import gatehouse.identity.HeaderEdits;
import gatehouse.identity.HeaderPlan;
import gatehouse.identity.IdentityHeaders;
import gatehouse.limit.Admission;
import gatehouse.limit.Limits;
import gatehouse.route.RequestTarget;
import gatehouse.route.RouteTable;
import gatehouse.route.Routing;
import gatehouse.route.Target;
import gatehouse.route.TargetParser;
import gatehouse.route.UpstreamPath;
import gatehouse.trace.RequestTrace;
import gatehouse.trace.Stage;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs the stages for one request and returns what to do with it. This method is the
 * architecture: route, extract credentials, authenticate, authorize, limit, plan identity headers.
 * Each stage answers with a value; the first rejection ends the run.
 */
public final class Pipeline {
  private static final Duration DEPENDENCY_RETRY_AFTER = Duration.ofSeconds(5);

  private final RouteTable routes;
  private final CredentialExtractor extractor;
  private final Authenticators authenticators;
  private final Limits limits;
  private final IdentityHeaders identityHeaders;
  private final StageListener listener;

  public Pipeline(RouteTable routes, CredentialExtractor extractor, Authenticators authenticators, Limits limits,
      IdentityHeaders identityHeaders) {
    this(routes, extractor, authenticators, limits, identityHeaders, StageListener.NONE);
  }

  /** As the serving pipeline, telling {@code listener} each stage's answer ({@code gatehouse explain}). */
  public Pipeline(RouteTable routes, CredentialExtractor extractor, Authenticators authenticators, Limits limits,
      IdentityHeaders identityHeaders, StageListener listener) {
    this.listener = listener;
    this.routes = routes;
    this.extractor = extractor;
    this.authenticators = authenticators;
    this.limits = limits;
    this.identityHeaders = identityHeaders;
  }

  /**
   * Decides what happens to the request whose head is {@code head}. Called on an event loop; never
   * blocks; the future never fails (a failure is a bug, answered 500 by the caller).
   */
  public Future<Outcome> process(RequestHead head) {
    RequestTrace trace = head.trace();
    // 1 route
    Target parsed = TargetParser.parse(head.rawTarget(), head.host());
    listener.target(parsed);
    if (parsed instanceof Target.Ambiguous a) {
      return reject(new Rejection.BadRequest(a.code(), a.reason()), Optional.empty(), Optional.empty());
    }
    RequestTarget target = ((Target.Parsed) parsed).target();
    Routing routing = routes.route(head.method(), head.host(), target);
    trace.stage(Stage.ROUTE);
    listener.routing(routing);
    if (routing instanceof Routing.Ambiguous a) {
      return reject(new Rejection.BadRequest(a.code(), a.reason()), Optional.empty(), Optional.empty());
    }
    if (routing instanceof Routing.NotFound) return reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
    if (!(routing instanceof Routing.Found found)) throw new AssertionError("unknown routing " + routing);
    RouteConfig route = found.route();
    Optional<RouteConfig> matched = found.matched();
    Policy policy = route.policy();
    String upstreamPath = UpstreamPath.path(route, target.path());

    // 2 credential
    Extraction extraction = extractor.extract(head.headers(), target.rawQuery(), head.clientCertificate(), policy);
    trace.stage(Stage.CREDENTIAL);
    listener.extraction(extraction);
    if (extraction instanceof Extraction.Ambiguous a) {
      return reject(new Rejection.BadRequest(a.code(), a.reason()), matched, Optional.empty());
    }
    if (extraction instanceof Extraction.None none) {
      if (policy instanceof Policy.Public) {
        return limitThenPlan(head, route, matched, upstreamTarget(upstreamPath, none.forwardedQuery()), Optional.empty(), Optional.empty(),
            Optional.empty());
      }
      Rejection.Challenge wanted = policy instanceof Policy.ApiKey ? Rejection.Challenge.API_KEY
          : policy instanceof Policy.Mtls ? Rejection.Challenge.CERTIFICATE : Rejection.Challenge.BEARER;
      return reject(new Rejection.Unauthenticated(wanted, Optional.empty()), matched, Optional.empty());
    }
    Extraction.Found presented = (Extraction.Found) extraction;
    Credential credential = presented.credential();
    String upstreamTarget = upstreamTarget(upstreamPath, presented.forwardedQuery());
    Optional<String> fingerprint = Optional.of(credential.secret().fingerprint());

    // 3 authenticate, unless the client's address used up its failed authentications (failed_auth_limit)
    Admission screened = limits.screen(head.clientAddress());
    if (screened instanceof Admission.Limited l) {
      return reject(new Rejection.RateLimited(l.retryAfter(), Optional.of(l.quota())), matched, fingerprint);
    }
    return authenticators.authenticate(credential).compose(authentication -> {
      trace.stage(Stage.AUTHENTICATE);
      listener.authentication(authentication);
      if (authentication instanceof Authentication.Rejected r) {
        Rejection refused = new Rejection.Unauthenticated(challenge(credential), Optional.of(r.failure()));
        return limits.failed(head.clientAddress()).map(counted -> new Outcome.Reject(refused, matched, fingerprint));
      }
      if (authentication instanceof Authentication.Unverifiable u) {
        return reject(new Rejection.DependencyDown(u.dependency(), DEPENDENCY_RETRY_AFTER), matched, fingerprint);
      }
      if (!(authentication instanceof Authentication.Authenticated ok)) {
        throw new AssertionError("unknown authentication " + authentication);
      }
      Identity identity = ok.identity();
      // 4 authorize
      Decision decision = Authorizer.decide(policy, identity);
      trace.stage(Stage.AUTHORIZE);
      listener.decision(decision);
      if (decision instanceof Decision.Deny d) {
        return Future.succeededFuture(new Outcome.Reject(new Rejection.Forbidden(d.code(), d.message(), identity.scheme() != Scheme.API_KEY),
            matched, fingerprint, Optional.of(identity)));
      }
      return limitThenPlan(head, route, matched, upstreamTarget, Optional.of(credential), Optional.of(identity), ok.limit());
    });
  }

  /** The stages after authorization: limit, then plan the identity headers (anonymous without an identity). */
  private Future<Outcome> limitThenPlan(RequestHead head, RouteConfig route, Optional<RouteConfig> matched, String upstreamTarget,
      Optional<Credential> credential, Optional<Identity> identity, Optional<CredentialLimit> own) {
    Optional<String> fingerprint = credential.map(c -> c.secret().fingerprint());
    // 5 limit
    return limits.admit(route, head.clientAddress(), identity, own).map(admission -> {
      head.trace().stage(Stage.LIMIT);
      listener.admission(admission);
      if (admission instanceof Admission.Limited l) {
        return new Outcome.Reject(new Rejection.RateLimited(l.retryAfter(), Optional.of(l.quota())), matched, fingerprint);
      }
      if (admission instanceof Admission.Unavailable u) {
        return new Outcome.Reject(new Rejection.LimiterUnavailable(u.reason(), DEPENDENCY_RETRY_AFTER), matched, fingerprint);
      }
      if (!(admission instanceof Admission.Admitted admitted)) throw new AssertionError("unknown admission " + admission);
      // 6 identity headers (the verified values as header bytes, or a refusal)
      if (identity.isEmpty()) {
        head.trace().stage(Stage.IDENTITY);
        return forward(route, upstreamTarget, credential, identity, admitted.quota(), identityHeaders.anonymous());
      }
      HeaderPlan plan = identityHeaders.plan(credential.orElseThrow(), identity.get());
      head.trace().stage(Stage.IDENTITY);
      listener.plan(plan);
      if (plan instanceof HeaderPlan.Refused r) {
        return new Outcome.Reject(new Rejection.Unauthenticated(challenge(credential.get()), Optional.of(r.failure())), matched, fingerprint);
      }
      return forward(route, upstreamTarget, credential, identity, admitted.quota(), ((HeaderPlan.Planned) plan).edits());
    });
  }

  private static Rejection.Challenge challenge(Credential credential) {
    return credential instanceof Credential.ApiKey ? Rejection.Challenge.API_KEY
        : credential instanceof Credential.ClientCertificate ? Rejection.Challenge.CERTIFICATE : Rejection.Challenge.BEARER;
  }

  /** The upstream's origin-form target: stage 1's rewritten path, then stage 2's forwarded query. */
  private static String upstreamTarget(String upstreamPath, Optional<String> forwardedQuery) {
    return forwardedQuery.isPresent() ? upstreamPath + "?" + forwardedQuery.get() : upstreamPath;
  }

  private static Outcome forward(RouteConfig route, String upstreamTarget, Optional<Credential> credential, Optional<Identity> identity,
      Optional<Quota> quota, HeaderEdits edits) {
    return new Outcome.Forward(route, identity, edits, upstreamTarget,
        credential.map(c -> c.secret().fingerprint()), quota.map(RateLimitHeaders::of).orElse(java.util.Map.of()));
  }

  private static Future<Outcome> reject(Rejection rejection, Optional<RouteConfig> route, Optional<String> fingerprint) {
    return Future.succeededFuture(new Outcome.Reject(rejection, route, fingerprint));
  }
}
