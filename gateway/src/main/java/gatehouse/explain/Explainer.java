package gatehouse.explain;

import gatehouse.authn.Authentication;
import gatehouse.authn.Identity;
import gatehouse.authz.Decision;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.Policy;
import gatehouse.config.RouteConfig;
import gatehouse.credential.Credential;
import gatehouse.credential.Extraction;
import gatehouse.identity.HeaderEdits;
import gatehouse.identity.HeaderPlan;
import gatehouse.limit.Admission;
import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.pipeline.StageListener;
import gatehouse.proxy.ClientAddresses;
import gatehouse.proxy.UpstreamPreview;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.route.HostHeader;
import gatehouse.route.RequestTarget;
import gatehouse.route.Routing;
import gatehouse.route.Skipped;
import gatehouse.route.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runs one request through a config's stages ({@link Stages}, the serving pipeline's code) and
 * writes down what each decided: the JSON of {@code gatehouse explain --json}, which the text form
 * is rendered from. Nothing here decides; it reads the values the stages returned.
 */
public final class Explainer {
  /** Exit code: the request would be forwarded upstream. */
  public static final int FORWARDED = 0;
  /** Exit code: the gateway would refuse the request (any 4xx or 5xx of its own). */
  public static final int REFUSED = 1;
  /** Exit code: a usage or config error. */
  public static final int USAGE = 2;
  /** Exit code: a dependency could not be checked (keys not fetched, {@code --offline}, key store down): no answer. */
  public static final int UNDETERMINED = 3;

  /** The value an explanation shows for {@code X-Request-Id}: the gateway makes a new one per request. */
  static final String REQUEST_ID = "(a new id per request)";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * A check the running gateway makes that explain does not: its state, or its input, exists only
   * in a running gateway (or its Redis), so explain cannot know the answer and does not pretend to.
   */
  record NotEvaluated(String check, String detail) {}

  /** Every explanation lists these, whatever the request: an answer here may still be refused there because of one of them. */
  static final List<NotEvaluated> NOT_EVALUATED = List.of(
      new NotEvaluated("deny_list", "token deny-list entries (gatehouse denylist) live in the running gateway or its Redis;"
          + " a token on the list gets 401 there"),
      new NotEvaluated("rate_limits", "rate limits, failed_auth_limit and key quotas count in the running gateway or its Redis;"
          + " here every bucket is full and every quota unused, so a request over a limit gets 429 there"),
      new NotEvaluated("client_certificate", "the mTLS client certificate comes from a TLS handshake, which explain does not make;"
          + " the request here carries none, so an mtls route refuses it"),
      new NotEvaluated("circuit_breakers", "upstream circuit breakers and concurrency caps (max_concurrent, max_connections) hold"
          + " the running gateway's state; an open breaker or a full cap gets 503 there"));

  private Explainer() {}

  /**
   * The request to explain.
   *
   * @param url {@code http(s)://host[:port]/target} or an origin-form target ({@code /a?b}) sent verbatim
   * @param headers as given with {@code -H}, in order; a {@code Host} here overrides the url's
   * @param peer the address the request comes from (the gateway's TCP peer)
   * @param tls whether it arrives over TLS; the url's scheme when it has one
   */
  public record Request(String method, String url, List<Map.Entry<String, String>> headers, String peer, Optional<Boolean> tls,
      boolean offline) {}

  /** Builds the stages of one run, told to the trace and asking the limiter. */
  @FunctionalInterface
  public interface StageFactory {
    Stages build(RateLimiter limiter, StageListener trace) throws ConfigException;
  }

  /**
   * Explains {@code request} under {@code config}. Blocks the calling thread (never a Vert.x one)
   * until the stages answer: a remote key set's first fetch, an API-key look-up.
   *
   * @throws IllegalArgumentException for a url that is neither absolute http(s) nor origin-form
   */
  public static Explanation explain(GatehouseConfig config, Request request, Vertx vertx, StageFactory factory) throws ConfigException {
    Recorder recorder = new Recorder();
    Stages stages = factory.build(recorder, recorder);
    try {
      return run(config, request, vertx, stages, recorder);
    } finally {
      await(stages.close().get());
    }
  }

  private static Explanation run(GatehouseConfig config, Request request, Vertx vertx, Stages stages, Recorder rec) {
    Parsed url = Parsed.of(request.url());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    boolean hostGiven = request.headers().stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Host"));
    if (!hostGiven) headers.add("Host", url.host().orElse("localhost"));
    request.headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
    String host = headers.get("Host");
    boolean tls = request.tls().orElse(url.tls().orElse(config.listen().tls().isPresent()));
    String clientAddress = ClientAddresses.compile(config.forwarding()).of(request.peer(), headers);

    JsonObject out = new JsonObject();
    JsonArray notes = new JsonArray();
    out.put("request", new JsonObject().put("method", request.method()).put("target", url.target()).put("host", host)
        .put("tls", tls).put("client_address", clientAddress).put("header_names", new JsonArray(request.headers().stream().map(Map.Entry::getKey).toList())));

    // The listener refuses these before the pipeline (server.GatewayHandler): same rules.
    Optional<Rejection> hostProblem = headers.getAll("Host").size() > 1
        ? Optional.of(new Rejection.BadRequest("bad_host", "more than one Host header"))
        : !HostHeader.isValid(host) ? Optional.of(new Rejection.BadRequest("bad_host", "the Host header is not a valid host[:port]"))
        : Optional.empty();
    if (hostProblem.isPresent()) {
      out.put("target", new JsonObject().put("result", "refused").put("code", "bad_host").put("reason", ((Rejection.BadRequest) hostProblem.get()).message()));
      return finish(out, notes, new Outcome.Reject(hostProblem.get(), Optional.empty(), Optional.empty()), rec);
    }

    if (!request.offline() && stages.jwt().isPresent() && headers.contains("Authorization")) {
      // A remote key set's first fetch started when the stages were built: one fetch, awaited here.
      await(stages.jwt().get().settled());
    }
    RequestHead head = new RequestHead(request.method(), url.target(), host, headers, Optional.empty(), clientAddress);
    Promise<Outcome> decided = Promise.promise();
    vertx.runOnContext(v -> stages.pipeline().process(head).onComplete(decided));
    Outcome outcome = await(decided.future());

    out.put("target", target(rec.target));
    out.put("route", route(rec, stages, request.method(), host));
    Optional<RouteConfig> route = outcome.matchedRoute();
    route.ifPresent(r -> out.put("policy", policy(r.policy())));
    out.put("credential", credential(rec.extraction, config));
    out.put("authentication", authentication(rec, stages, request.offline(), route.map(RouteConfig::policy), notes));
    out.put("authorization", authorization(rec));
    out.put("limits", limits(rec));
    out.put("identity_headers", identityHeaders(rec, outcome));
    if (outcome instanceof Outcome.Forward f) {
      UpstreamPreview.Client client = new UpstreamPreview.Client(Optional.ofNullable(request.peer()), tls, Optional.ofNullable(host), HttpVersion.HTTP_1_1);
      UpstreamPreview.Head sent = UpstreamPreview.of(config.upstreams().get(f.route().upstream()), config.forwarding(), client, request.method(),
          headers, f.route().websocket(), f.edits().andThen(h -> {
            h.set("X-Request-Id", REQUEST_ID);
            head.trace().propagate(h);
          }), f.upstreamTarget(),
          stages.signers().forUpstream(f.route().upstream()).forRequest(f.identity()));
      JsonArray sentHeaders = new JsonArray();
      sent.headers().forEach(h -> sentHeaders.add(new JsonObject().put("name", h.getKey()).put("value", h.getValue())));
      List<String> varies = new ArrayList<>(sent.signed());
      varies.add(0, "X-Request-Id");
      varies.add(1, "traceparent");
      out.put("upstream", new JsonObject().put("name", f.route().upstream()).put("url", config.upstreams().get(f.route().upstream()).url().toString())
          .put("method", sent.method()).put("target", sent.target()).put("headers", sentHeaders).put("varies", new JsonArray(varies)));
    }
    return finish(out, notes, outcome, rec);
  }

  private static Explanation finish(JsonObject out, JsonArray notes, Outcome outcome, Recorder rec) {
    JsonObject result = new JsonObject();
    int exit;
    if (outcome instanceof Outcome.Forward) {
      result.put("result", "forward");
      exit = FORWARDED;
    } else if (outcome instanceof Outcome.Reject r) {
      ErrorResponses.Reply reply = ErrorResponses.of(r.rejection());
      boolean unknown = r.rejection() instanceof Rejection.DependencyDown;
      result.put("result", unknown ? "undetermined" : "reject").put("status", reply.status()).put("code", reply.code()).put("message", reply.message());
      reply.challenge().ifPresent(c -> result.put("www_authenticate", c));
      exit = unknown ? UNDETERMINED : REFUSED;
    } else {
      throw new AssertionError("unknown outcome " + outcome);
    }
    result.put("exit_code", exit);
    out.put("outcome", result);
    out.put("notes", notes);
    JsonArray notEvaluated = new JsonArray();
    NOT_EVALUATED.forEach(n -> notEvaluated.add(new JsonObject().put("check", n.check()).put("detail", n.detail())));
    out.put("not_evaluated", notEvaluated);
    return new Explanation(out, exit);
  }

  private static JsonObject target(Target t) {
    if (t == null) return notReached();
    if (t instanceof Target.Ambiguous a) return new JsonObject().put("result", "refused").put("code", a.code()).put("reason", a.reason());
    if (t instanceof Target.Parsed p) {
      RequestTarget rt = p.target();
      JsonObject o = new JsonObject().put("result", "parsed").put("path", rt.path());
      rt.rawQuery().ifPresent(q -> o.put("query", q));
      return o;
    }
    throw new AssertionError("unknown target " + t);
  }

  private static JsonObject route(Recorder rec, Stages stages, String method, String host) {
    Routing routing = rec.routing;
    if (routing == null) return notReached();
    JsonObject o = new JsonObject();
    if (routing instanceof Routing.Found f) {
      o.put("result", "matched").put("id", f.route().id()).put("line", f.route().line()).put("match", match(f.route()))
          .put("upstream", f.route().upstream());
    } else if (routing instanceof Routing.NotFound) {
      o.put("result", "no_route");
    } else if (routing instanceof Routing.Ambiguous a) {
      o.put("result", "refused").put("code", a.code()).put("reason", a.reason());
    } else {
      throw new AssertionError("unknown routing " + routing);
    }
    // The routes above the one taken (all of them for no route), and why each did not take it.
    JsonArray out = new JsonArray();
    for (Skipped s : stages.routes().skipped(method, host, ((Target.Parsed) rec.target).target())) {
      out.add(new JsonObject().put("id", s.route().id()).put("line", s.route().line()).put("match", match(s.route()))
          .put("reasons", new JsonArray(s.reasons())).put("matches_ignoring_case", s.matchesIgnoringCase()));
    }
    return o.put("skipped", out);
  }

  private static String match(RouteConfig r) {
    List<String> parts = new ArrayList<>();
    if (!r.match().methods().isEmpty()) parts.add("methods " + new TreeSet<>(r.match().methods()));
    r.match().host().ifPresent(h -> parts.add("host " + h));
    r.match().path().ifPresent(p -> parts.add("path " + p));
    r.match().prefix().ifPresent(p -> parts.add("prefix " + p));
    r.match().regex().ifPresent(p -> parts.add("regex " + p.pattern()));
    if (!r.match().caseSensitive()) parts.add("ignoring case");
    return String.join(", ", parts);
  }

  private static JsonObject policy(Policy p) {
    if (p instanceof Policy.Public) return new JsonObject().put("kind", "public");
    if (p instanceof Policy.Jwt j) return jwt(j).put("kind", "jwt");
    if (p instanceof Policy.ApiKey k) return new JsonObject().put("kind", "api_key").put("scopes", sorted(k.allOfScopes()));
    if (p instanceof Policy.Mtls m) return new JsonObject().put("kind", "mtls").put("subjects", sorted(m.subjects()));
    if (p instanceof Policy.Any a) {
      JsonObject o = new JsonObject().put("kind", "any").put("jwt", jwt(a.jwt())).put("api_key", new JsonObject().put("scopes", sorted(a.apiKey().allOfScopes())));
      a.mtls().ifPresent(m -> o.put("mtls", new JsonObject().put("subjects", sorted(m.subjects()))));
      return o;
    }
    throw new AssertionError("unknown policy " + p);
  }

  private static JsonObject jwt(Policy.Jwt j) {
    return new JsonObject().put("providers", sorted(j.providers())).put("roles", sorted(j.anyOfRoles())).put("scopes", sorted(j.allOfScopes()));
  }

  private static JsonArray sorted(java.util.Set<String> values) {
    return new JsonArray(new ArrayList<>(new TreeSet<>(values)));
  }

  private static JsonObject credential(Extraction e, GatehouseConfig config) {
    if (e == null) return notReached();
    if (e instanceof Extraction.None) return new JsonObject().put("result", "none");
    if (e instanceof Extraction.Ambiguous a) return new JsonObject().put("result", "refused").put("code", a.code()).put("reason", a.reason());
    if (!(e instanceof Extraction.Found f)) throw new AssertionError("unknown extraction " + e);
    Credential c = f.credential();
    JsonObject o = new JsonObject().put("result", "found").put("fingerprint", c.secret().fingerprint());
    if (c instanceof Credential.BearerToken) {
      o.put("kind", "bearer").put("where", "Authorization header");
    } else if (c instanceof Credential.ApiKey k) {
      o.put("kind", "api_key").put("where", k.location() == Credential.Location.HEADER
          ? "header " + config.auth().apiKeys().header()
          : "query parameter " + config.auth().apiKeys().queryParam().orElse("?"));
    } else if (c instanceof Credential.ClientCertificate) {
      o.put("kind", "client_certificate").put("where", "TLS handshake");
    } else {
      throw new AssertionError("unknown credential " + c);
    }
    f.forwardedQuery().ifPresent(q -> o.put("forwarded_query", q));
    return o;
  }

  private static JsonObject authentication(Recorder rec, Stages stages, boolean offline, Optional<Policy> policy, JsonArray notes) {
    Authentication a = rec.authentication;
    if (a == null) {
      boolean publicRoute = policy.isPresent() && policy.get() instanceof Policy.Public;
      return publicRoute ? new JsonObject().put("result", "not_needed") : notReached();
    }
    Credential credential = ((Extraction.Found) rec.extraction).credential();
    JsonObject o = new JsonObject();
    if (a instanceof Authentication.Authenticated ok) {
      o.put("result", "authenticated").put("identity", identity(ok.identity()));
    } else if (a instanceof Authentication.Rejected r) {
      o.put("result", "rejected").put("code", r.failure().code()).put("detail", r.failure().detail());
    } else if (a instanceof Authentication.Unverifiable u) {
      o.put("result", "unverifiable").put("dependency", u.dependency());
    } else {
      throw new AssertionError("unknown authentication " + a);
    }
    JsonArray steps = new JsonArray();
    if (credential instanceof Credential.BearerToken bearer) {
      JwtSteps.of(bearer.secret().reveal(), a, stages.jwt(), offline).ifPresentOrElse(s -> {
        steps.addAll(s.steps());
        s.keys().ifPresent(k -> o.put("keys", k));
      }, () -> steps.add(step("bearer", a instanceof Authentication.Authenticated ? "passed" : "failed", summary(a))));
    } else if (credential instanceof Credential.ApiKey) {
      steps.add(step("format", a instanceof Authentication.Rejected r && r.failure().code().equals("malformed") ? "failed" : "passed", ""));
      if (a instanceof Authentication.Unverifiable) {
        steps.add(step("lookup", "unavailable", "the key store could not be checked (read-only look-up failed)"));
        notes.add("the API-key store was not reachable: the key could not be checked");
      } else {
        steps.add(step("lookup", a instanceof Authentication.Authenticated ? "passed" : "failed", summary(a) + " (read-only look-up)"));
      }
    }
    o.put("steps", steps);
    if (offline && a instanceof Authentication.Unverifiable) notes.add("--offline: remote keys and introspection were not asked");
    return o;
  }

  static String summary(Authentication a) {
    if (a instanceof Authentication.Authenticated ok) return "authenticated " + ok.identity().subject();
    if (a instanceof Authentication.Rejected r) return r.failure().code() + ": " + r.failure().detail();
    if (a instanceof Authentication.Unverifiable u) return "unverifiable: " + u.dependency();
    throw new AssertionError("unknown authentication " + a);
  }

  static JsonObject step(String name, String result, String detail) {
    JsonObject o = new JsonObject().put("step", name).put("result", result);
    if (!detail.isEmpty()) o.put("detail", detail);
    return o;
  }

  private static JsonObject identity(Identity i) {
    JsonObject o = new JsonObject().put("subject", i.subject()).put("scheme", i.scheme().name().toLowerCase(java.util.Locale.ROOT))
        .put("issuer", i.issuer()).put("roles", sorted(i.roles())).put("scopes", sorted(i.scopes()));
    i.expiresAt().ifPresent(e -> o.put("expires_at", e.toString()));
    return o;
  }

  private static JsonObject authorization(Recorder rec) {
    Decision d = rec.decision;
    if (d == null) {
      return rec.authentication == null && rec.extraction instanceof Extraction.None ? new JsonObject().put("result", "not_needed") : notReached();
    }
    if (d instanceof Decision.Allow) return new JsonObject().put("result", "allow");
    if (d instanceof Decision.Deny deny) return new JsonObject().put("result", "deny").put("code", deny.code()).put("message", deny.message());
    throw new AssertionError("unknown decision " + d);
  }

  private static JsonObject limits(Recorder rec) {
    JsonObject o = new JsonObject();
    Admission a = rec.admission;
    o.put("result", a == null ? "not_reached" : a instanceof Admission.Admitted ? "admitted" : a instanceof Admission.Limited ? "limited" : "unavailable");
    JsonArray buckets = new JsonArray();
    rec.asked(false).forEach(b -> buckets.add(bucket(b)));
    o.put("buckets", buckets);
    JsonArray failed = new JsonArray();
    rec.asked(true).forEach(b -> failed.add(bucket(b)));
    if (!failed.isEmpty()) o.put("failed_auth", failed);
    o.put("tokens_taken", 0);
    return o;
  }

  private static JsonObject bucket(Recorder.Asked b) {
    return new JsonObject().put("bucket", b.bucket()).put("requests", b.limit().requests()).put("per", b.limit().window().toString());
  }

  private static JsonObject identityHeaders(Recorder rec, Outcome outcome) {
    if (rec.plan instanceof HeaderPlan.Refused r) {
      return new JsonObject().put("result", "refused").put("code", r.failure().code()).put("detail", r.failure().detail());
    }
    if (!(outcome instanceof Outcome.Forward f)) return notReached();
    HeaderEdits edits = f.edits();
    JsonObject set = new JsonObject();
    new java.util.TreeMap<>(edits.set()).forEach((k, v) -> {
      if (!v.isEmpty()) set.put(k, v);
    });
    return new JsonObject().put("result", f.identity().isPresent() ? "planned" : "anonymous").put("set", set)
        .put("consumed", sorted(edits.consumed()));
  }

  private static JsonObject notReached() {
    return new JsonObject().put("result", "not_reached");
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer within " + WAIT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The request line's target and the Host a url gives. */
  record Parsed(String target, Optional<String> host, Optional<Boolean> tls) {
    static Parsed of(String url) {
      if (url.startsWith("/") || url.equals("*")) return new Parsed(url, Optional.empty(), Optional.empty());
      int scheme = url.indexOf("://");
      String name = scheme < 0 ? "" : url.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
      if (!name.equals("http") && !name.equals("https")) {
        throw new IllegalArgumentException("'" + url + "' is neither an http(s):// url nor a target starting with /");
      }
      String rest = url.substring(scheme + 3);
      int end = 0;
      while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?' && rest.charAt(end) != '#') end++;
      String authority = rest.substring(0, end);
      if (authority.isEmpty() || authority.contains("@")) {
        throw new IllegalArgumentException("'" + url + "': the url needs a host, without user information");
      }
      String target = rest.substring(end);
      int fragment = target.indexOf('#');
      if (fragment >= 0) target = target.substring(0, fragment); // a client never sends the fragment (RFC 9110 section 4.2.4)
      if (target.isEmpty() || target.startsWith("?")) target = "/" + target;
      return new Parsed(target, Optional.of(authority), Optional.of(name.equals("https")));
    }
  }

  /** The payload of a JWT as JSON, or empty when it is not one: for showing claims only, never for deciding. */
  static Optional<JsonObject[]> decode(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) return Optional.empty();
    try {
      Base64.Decoder d = Base64.getUrlDecoder();
      JsonObject header = new JsonObject(new String(d.decode(parts[0]), StandardCharsets.UTF_8));
      JsonObject payload = new JsonObject(new String(d.decode(parts[1]), StandardCharsets.UTF_8));
      return Optional.of(new JsonObject[] {header, payload});
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static String instant(Object epochSeconds) {
    return epochSeconds instanceof Number n ? Instant.ofEpochSecond(n.longValue()).toString() : String.valueOf(epochSeconds);
  }
}
