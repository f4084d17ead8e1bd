package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.ClaimMapping;
import gatehouse.config.IntrospectionConfig;
import gatehouse.credential.Credential;
import gatehouse.logging.ThrottledLog;
import gatehouse.logging.ThrottledLogs;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates bearer tokens by asking one OAuth 2.0 authorization server (RFC 7662). One
 * instance per {@code auth.introspection} entry.
 *
 * <p>Answers: {@code Authenticated} when the server says the token is active and the answer passes
 * the provider's checks, with issuer = provider name, scheme {@code INTROSPECTION}, scopes from
 * {@code scope}, roles and headers mapped from the answer's members like JWT claims; {@code
 * Rejected} with {@code inactive}, {@code expired}, {@code not_yet_valid}, {@code wrong_token_type},
 * {@code wrong_issuer}, {@code wrong_audience}, {@code client_not_allowed}, {@code missing_client},
 * {@code ambiguous_client} or {@code lifetime_too_long}; {@code Unverifiable("introspection:<name>")} when there is no usable
 * answer (server down, too slow, HTTP error, our client credentials refused, not RFC 7662) or the
 * circuit breaker is open. Fail closed: a token is never let through because the server is down.
 *
 * <p>Answers are cached (see {@code AnswerCache}); concurrent requests for one uncached token share
 * one call. A cached active answer works for {@code cache_ttl} whether or not the server is up;
 * with {@code stale_if_error} it is served for that much longer while the server fails (breaker
 * open, or a call that fails for the server's fault), never beyond its {@code exp}. Never blocks:
 * a miss completes on the caller's Vert.x context once the call returns. The token is never
 * logged, only its fingerprint.
 *
 * <p>While the breaker is open a probe asks the server about a made-up token, first after {@link
 * #FIRST_PROBE}, then at doubling intervals up to {@link #LAST_PROBE} (or the cooldown, when
 * shorter); any RFC 7662 answer
 * (or a refusal of the token) closes the breaker, so service resumes soon after the server does.
 * Log lines about the server go through two {@link ThrottledLog}s, one for failed calls and one
 * for breaker changes: each writes at most one line per 10 s, with the count of the others. A
 * failure that is a bug, not an answer, is logged through a {@link ThrottledLogs}: one line per
 * kind of failure per 10 s, whatever number of tokens reach it.
 */
public final class IntrospectionAuthenticator implements Authenticator, MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(IntrospectionAuthenticator.class);

  private final String name;
  private final Optional<String> issuer;
  private final String dependency;
  private final Clock clock;
  private final IntrospectionClient client;
  private final AnswerReader reader;
  private final AnswerCache cache;
  private final CircuitBreaker breaker;
  private final Map<AnswerCache.Key, Future<Answer>> inflight = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private final ThrottledLog callLog;
  private final ThrottledLog stateLog;
  /** Failures that are bugs, not answers: any token may reach them, so one line per kind per window. */
  private final ThrottledLogs failures;
  private final Scheduler scheduler;
  private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long probeTimer = -1;
  private volatile boolean closed;
  private volatile String lastError;
  /** Calls by {@link CallResult}, read by the meters at scrape time. */
  private final java.util.concurrent.atomic.AtomicLongArray results = new java.util.concurrent.atomic.AtomicLongArray(CallResult.values().length);
  /** Set by {@link #bindTo}; until then call latency is not recorded. */
  private volatile Timer latency;

  /** The {@code result} label of {@code gatehouse_introspection_calls_total}. */
  enum CallResult {
    /** The server said active and the answer passed the provider's checks. */
    ACTIVE,
    /** Inactive, refused by the server, or an active answer the provider's checks refused: the token's failure. */
    REJECTED,
    /** No usable answer (the server's fault): what counts toward the breaker. */
    ERROR,
    /** Not made: the breaker was open. */
    BREAKER_OPEN;

    final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Histogram buckets of {@code gatehouse_introspection_duration_seconds}: from a fast local
   * server (5 ms) to the client's timeout, so an alert can ask what share took over 250 ms or 1 s.
   */
  static final Duration[] LATENCY_BUCKETS = java.util.stream.Stream.of(
      "PT0.005S", "PT0.01S", "PT0.025S", "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S", "PT2.5S", "PT5S", "PT10S")
      .map(Duration::parse).toArray(Duration[]::new);

  /** The first probe of an open breaker comes this long after it opened; then doubling, up to {@link #LAST_PROBE}. */
  static final Duration FIRST_PROBE = Duration.ofMillis(250);
  /**
   * The longest wait between probes (or the cooldown, when shorter): so that however long the
   * outage, service resumes within this long of the server's return.
   */
  static final Duration LAST_PROBE = Duration.ofSeconds(2);
  /** What a probe asks about: no real token, so the answer is inactive or a refusal from a live server. */
  static final String PROBE_TOKEN = "gatehouse-availability-probe";

  /** Runs a task after a delay: Vert.x timers in production; tests drive it by hand. */
  interface Scheduler {
    long after(Duration delay, Runnable task);

    void cancel(long id);

    static Scheduler of(Vertx vertx) {
      return new Scheduler() {
        @Override
        public long after(Duration delay, Runnable task) {
          return vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
        }

        @Override
        public void cancel(long id) {
          vertx.cancelTimer(id);
        }
      };
    }
  }

  private IntrospectionAuthenticator(IntrospectionConfig c, IntrospectionClient client, AnswerReader reader, Clock clock,
      Scheduler scheduler) {
    this.name = c.name();
    this.issuer = c.issuer();
    this.dependency = "introspection:" + c.name();
    this.clock = clock;
    this.client = client;
    this.reader = reader;
    this.cache = new AnswerCache(clock, c.cacheSize(), c.cacheTtl(), c.negativeCacheTtl(), c.staleIfError());
    this.breaker = new CircuitBreaker(clock, c.breakerFailures(), c.breakerCooldown());
    this.scheduler = scheduler;
    this.callLog = new ThrottledLog(log, clock);
    this.stateLog = new ThrottledLog(log, clock);
    this.failures = new ThrottledLogs(log, clock);
  }

  /**
   * Compiles {@code c}: its roles claims and its trust store. Reads the {@code ca} file here, synchronously: call it where config
   * is loaded, not on an event loop. {@code clock} is the only source of time.
   *
   * @throws IllegalArgumentException with a message that starts with the config key, for a claim
   *     path that does not parse or an unreadable {@code ca}
   */
  public static IntrospectionAuthenticator create(Vertx vertx, IntrospectionConfig c, Clock clock) {
    return create(vertx, c, clock, Scheduler.of(vertx));
  }

  /** As {@link #create(Vertx, IntrospectionConfig, Clock)}, with the probe's timers given. */
  static IntrospectionAuthenticator create(Vertx vertx, IntrospectionConfig c, Clock clock, Scheduler scheduler) {
    AnswerReader reader = reader(c);
    IntrospectionClient client;
    try {
      client = new IntrospectionClient(vertx, c);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key(c) + ".ca: " + e.getMessage(), e);
    }
    return new IntrospectionAuthenticator(c, client, reader, clock, scheduler);
  }

  private static AnswerReader reader(IntrospectionConfig c) {
    ClaimMapping mapping = ClaimMapping.compile(key(c), c.rolesClaims());
    return new AnswerReader(c.name(), c.issuer(), c.audiences(), mapping, c.clockSkew(), c.rules());
  }

  private static String key(IntrospectionConfig c) {
    return "auth.introspection[" + c.name() + "]";
  }

  /** The provider's name: the identity's issuer, and what policies name. */
  public String name() {
    return name;
  }

  /** The configured issuer; JWT-shaped tokens with this {@code iss} are sent here. */
  public Optional<String> issuer() {
    return issuer;
  }

  /**
   * Introspects a {@code Credential.BearerToken}; any other credential is {@code Rejected} with
   * {@code unsupported_credential}. The future never fails. Called on an event loop; never blocks.
   */
  @Override
  public Future<Authentication> authenticate(Credential credential) {
    if (!(credential instanceof Credential.BearerToken bearer)) {
      return AuthFailure.unsupported("introspection", credential);
    }
    String token = bearer.secret().reveal();
    AnswerCache.Key key = AnswerCache.Key.of(name, bearer.secret());
    try {
      Answer cached = cache.get(key);
      if (cached != null) return Future.succeededFuture(authentication(cached));
      Promise<Answer> mine = Promise.promise();
      Future<Answer> running = inflight.putIfAbsent(key, mine.future());
      if (running != null) return onCallerContext(running, key);
      call(token, key, mine);
      return onCallerContext(mine.future(), key);
    } catch (RuntimeException e) {
      // A bug, not an answer: still fail closed with a value.
      failures.error("authenticate", "introspection:{} unexpected error for token {}", name, key.fingerprint(), e);
      return Future.succeededFuture(new Authentication.Unverifiable(dependency));
    }
  }

  /** Runs the one call for {@code key}, then caches, reports to the breaker, and releases waiters. */
  private void call(String token, AnswerCache.Key key, Promise<Answer> mine) {
    String fp = key.fingerprint();
    if (!breaker.tryAcquire()) {
      log.debug("introspection:{} circuit open; token {} answered without a call", name, fp);
      results.incrementAndGet(CallResult.BREAKER_OPEN.ordinal());
      finish(key, mine, staleOr(key, new Answer.Failed("circuit breaker open")));
      return;
    }
    calls.incrementAndGet();
    long started = System.nanoTime();
    client.introspect(token).onComplete(ar -> {
      Timer timer = latency;
      if (timer != null) timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
      Answer answer;
      try {
        answer = answer(ar.succeeded() ? ar.result() : new Reply.Failure("unexpected " + ar.cause()), fp);
      } catch (RuntimeException e) {
        // A bug must not leave the waiters of this flight waiting forever: fail closed instead.
        failures.error("judge", "introspection:{} unexpected error judging the answer for token {}", name, fp, e);
        answer = new Answer.Failed("unexpected " + e.getClass().getSimpleName());
      }
      CallResult result = answer instanceof Answer.Active ? CallResult.ACTIVE
          : answer instanceof Answer.Failed ? CallResult.ERROR : CallResult.REJECTED;
      results.incrementAndGet(result.ordinal());
      if (answer instanceof Answer.Failed failed) {
        lastError = failed.reason();
        boolean opened = breaker.failed();
        callLog.error("introspection:{} cannot verify token {}: {}", name, fp, failed.reason());
        if (opened) {
          stateLog.error("introspection:{} circuit breaker OPEN for {} after {} consecutive failures; bearer tokens of this"
              + " provider that are not cached answer 503 without a call; probing from {}", name, gatehouse.logging.Durations.text(breaker.cooldown()),
              breaker.consecutiveFailures(), gatehouse.logging.Durations.text(FIRST_PROBE));
          startProbing();
        }
        answer = staleOr(key, answer);
      } else {
        recovered();
        cache.put(key, answer);
      }
      finish(key, mine, answer);
    });
  }

  /** The stale active answer for {@code key}, if {@code stale_if_error} allows one, else {@code failed}. */
  private Answer staleOr(AnswerCache.Key key, Answer failed) {
    Answer.Active stale = cache.stale(key);
    if (stale == null) return failed;
    log.debug("introspection:{} server failing; token {} answered from a stale cached answer", name, key.fingerprint());
    return stale;
  }

  /** The server answered: close the breaker, and say so once when it had been failing. */
  private void recovered() {
    if (lastError != null) stateLog.info("introspection:{} answering again after a failure", name);
    lastError = null;
    breaker.succeeded();
  }

  /** The wait after a failed probe that waited {@code delay}: twice that, at most {@link #LAST_PROBE} and the cooldown. */
  private Duration next(Duration delay) {
    Duration doubled = delay.multipliedBy(2);
    Duration cap = LAST_PROBE.compareTo(breaker.cooldown()) < 0 ? LAST_PROBE : breaker.cooldown();
    return doubled.compareTo(cap) < 0 ? doubled : cap;
  }

  private void startProbing() {
    if (closed || !probing.compareAndSet(false, true)) return;
    scheduleProbe(FIRST_PROBE);
  }

  private void scheduleProbe(Duration delay) {
    if (closed) {
      probing.set(false);
      return;
    }
    probeTimer = scheduler.after(delay, () -> probe(delay));
  }

  /**
   * One probe: stops once the breaker is closed (by this probe or by a request's call), else asks
   * the server and, unless it answered, tries again after {@link #next}. A probe never counts as a
   * failure (only requests' calls open the breaker) and is never logged; its failure becomes the
   * {@code lastError} that {@code /ready} shows.
   */
  private void probe(Duration delay) {
    if (closed || breaker.state() == CircuitBreaker.State.CLOSED) {
      probing.set(false);
      return;
    }
    client.introspect(PROBE_TOKEN).onComplete(ar -> {
      Reply reply = ar.succeeded() ? ar.result() : new Reply.Failure("unexpected " + ar.cause());
      boolean alive = reply instanceof Reply.TokenRefused
          || reply instanceof Reply.Json json && json.members().get("active") instanceof Boolean;
      if (alive) {
        probing.set(false);
        recovered();
        return;
      }
      if (reply instanceof Reply.Failure f) lastError = f.reason();
      scheduleProbe(next(delay));
    });
  }

  private Answer answer(Reply reply, String fp) {
    if (reply instanceof Reply.Json json) return reader.judge(json.members(), clock.instant(), fp);
    if (reply instanceof Reply.TokenRefused r) {
      return new Answer.Inactive(new AuthFailure(FailureCodes.INACTIVE, "introspection:" + name + " token " + fp + ": " + r.reason()));
    }
    if (reply instanceof Reply.Failure f) return new Answer.Failed(f.reason());
    throw new AssertionError("unknown reply " + reply);
  }

  /** Removes the flight before completing it, after caching, so a newcomer finds one or the other. */
  private void finish(AnswerCache.Key key, Promise<Answer> mine, Answer answer) {
    inflight.remove(key, mine.future());
    mine.complete(answer);
  }

  private Authentication authentication(Answer answer) {
    if (answer instanceof Answer.Active a) return new Authentication.Authenticated(a.identity());
    if (answer instanceof Answer.Inactive i) return new Authentication.Rejected(i.failure());
    if (answer instanceof Answer.Failed) return new Authentication.Unverifiable(dependency);
    throw new AssertionError("unknown answer " + answer);
  }

  /** Completes on the context that called {@code authenticate}, as request handling expects. */
  private Future<Authentication> onCallerContext(Future<Answer> answer, AnswerCache.Key key) {
    if (answer.isComplete() && answer.succeeded()) return Future.succeededFuture(authentication(answer.result()));
    Context context = Vertx.currentContext();
    Promise<Authentication> promise = Promise.promise();
    answer.onComplete(ar -> {
      Authentication result;
      if (ar.succeeded()) {
        result = authentication(ar.result());
      } else {
        failures.error("await", "introspection:{} unexpected error for token {}", name, key.fingerprint(), ar.cause());
        result = new Authentication.Unverifiable(dependency);
      }
      if (context == null) promise.complete(result);
      else context.runOnContext(v -> promise.complete(result));
    });
    return promise.future();
  }

  /** For the admin {@code /ready} endpoint. Never blocks. */
  public Status status() {
    return new Status(name, breaker.state().name().toLowerCase(java.util.Locale.ROOT), cache.size(), calls.get(),
        Optional.ofNullable(lastError));
  }

  /**
   * One provider's state.
   *
   * @param breaker {@code closed}, {@code open} or {@code half_open}
   * @param cached answers held
   * @param calls introspection calls made since start
   * @param lastError the reason of the last failed call, until a call succeeds
   */
  public record Status(String provider, String breaker, long cached, long calls, Optional<String> lastError) {}

  /**
   * Registers this provider's meters, labelled {@code provider}: calls by {@link CallResult}, call
   * latency, the breaker's state (one series per state, 1 for the current one) and transitions, and
   * the answer cache as {@code cache="introspection:<name>"} (Micrometer's Caffeine binder). Probes
   * are not counted as calls.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    for (CallResult r : CallResult.values()) {
      FunctionCounter.builder("gatehouse_introspection_calls", results, a -> a.get(r.ordinal()))
          .tag("provider", name).tag("result", r.label)
          .description("Introspection requests by result; breaker_open ones were answered without a call").register(registry);
    }
    latency = Timer.builder("gatehouse_introspection_duration").tag("provider", name)
        .serviceLevelObjectives(LATENCY_BUCKETS).description("Introspection call latency").register(registry);
    for (CircuitBreaker.State st : CircuitBreaker.State.values()) {
      String label = st.name().toLowerCase(java.util.Locale.ROOT);
      Gauge.builder("gatehouse_introspection_breaker_state", breaker, b -> b.state() == st ? 1 : 0)
          .tag("provider", name).tag("state", label)
          .description("1 for the breaker's current state").register(registry);
      FunctionCounter.builder("gatehouse_introspection_breaker_transitions", breaker, b -> b.transitionsTo(st))
          .tag("provider", name).tag("to", label).description("Breaker state changes, by the state entered").register(registry);
    }
    cache.bindTo(registry, "introspection:" + name);
  }

  /** Closes the HTTP client; call when a reload replaces this authenticator. */
  public void close() {
    closed = true;
    long timer = probeTimer;
    if (timer >= 0) scheduler.cancel(timer);
    client.close();
  }

  /** Calls made to the server so far, for tests: the metrics count them only once bound. */
  long calls() {
    return calls.get();
  }

  /** The breaker, for tests: its state is otherwise seen only through metrics and logs. */
  CircuitBreaker breaker() {
    return breaker;
  }

  AnswerCache cache() {
    return cache;
  }
}
