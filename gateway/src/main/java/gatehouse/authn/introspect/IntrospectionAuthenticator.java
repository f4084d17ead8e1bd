package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.jwt.ClaimMapping;
import gatehouse.config.IdentityConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.credential.Credential;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
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
 * Rejected} with {@code inactive}, {@code expired}, {@code wrong_token_type}, {@code wrong_issuer}
 * or {@code wrong_audience}; {@code Unverifiable("introspection:<name>")} when there is no usable
 * answer (server down, too slow, HTTP error, our client credentials refused, not RFC 7662) or the
 * circuit breaker is open. Fail closed: a token is never let through because the server is down.
 *
 * <p>Answers are cached (see {@code AnswerCache}); concurrent requests for one uncached token share
 * one call; cached active answers keep working while the server is down. Never blocks: a miss
 * completes on the caller's Vert.x context once the call returns. The token is never logged, only
 * its fingerprint.
 */
public final class IntrospectionAuthenticator implements Authenticator {
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
  private volatile String lastError;

  private IntrospectionAuthenticator(IntrospectionConfig c, IntrospectionClient client, AnswerReader reader, Clock clock) {
    this.name = c.name();
    this.issuer = c.issuer();
    this.dependency = "introspection:" + c.name();
    this.clock = clock;
    this.client = client;
    this.reader = reader;
    this.cache = new AnswerCache(clock, c.cacheSize(), c.cacheTtl(), c.negativeCacheTtl());
    this.breaker = new CircuitBreaker(clock, c.breakerFailures(), c.breakerCooldown());
  }

  /**
   * Compiles {@code c}: its claim mapping ({@code c.claims()}, or {@code identity.claims} when
   * empty) and its trust store. Reads the {@code ca} file here, synchronously: call it where config
   * is loaded, not on an event loop. {@code clock} is the only source of time.
   *
   * @throws IllegalArgumentException with a message that starts with the config key, for a claim
   *     path that does not parse or an unreadable {@code ca}
   */
  public static IntrospectionAuthenticator create(Vertx vertx, IntrospectionConfig c, IdentityConfig identity, Clock clock) {
    AnswerReader reader = reader(c, identity);
    IntrospectionClient client;
    try {
      client = new IntrospectionClient(vertx, c);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key(c) + ".ca: " + e.getMessage(), e);
    }
    return new IntrospectionAuthenticator(c, client, reader, clock);
  }

  /**
   * Every check {@link #create} runs, without creating a client: for {@code gatehouse validate}.
   *
   * @throws IllegalArgumentException as {@link #create} does
   */
  public static void check(IntrospectionConfig c, IdentityConfig identity) {
    reader(c, identity);
    c.ca().ifPresent(ca -> {
      try {
        gatehouse.tls.Trust.systemPlus(ca);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key(c) + ".ca: " + e.getMessage(), e);
      }
    });
  }

  private static AnswerReader reader(IntrospectionConfig c, IdentityConfig identity) {
    Map<String, String> headerClaims = c.claims().isEmpty() ? identity.claims() : c.claims();
    ClaimMapping mapping = ClaimMapping.compile("introspection:" + c.name(), key(c), c.rolesClaim(), headerClaims);
    return new AnswerReader(c.name(), c.issuer(), c.audiences(), mapping);
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
      log.error("introspection:{} unexpected error for token {}", name, key.fingerprint(), e);
      return Future.succeededFuture(new Authentication.Unverifiable(dependency));
    }
  }

  /** Runs the one call for {@code key}, then caches, reports to the breaker, and releases waiters. */
  private void call(String token, AnswerCache.Key key, Promise<Answer> mine) {
    String fp = key.fingerprint();
    if (!breaker.tryAcquire()) {
      log.debug("introspection:{} circuit open; token {} answered 503 without a call", name, fp);
      finish(key, mine, new Answer.Failed("circuit breaker open"));
      return;
    }
    calls.incrementAndGet();
    client.introspect(token).onComplete(ar -> {
      Answer answer;
      try {
        answer = answer(ar.succeeded() ? ar.result() : new Reply.Failure("unexpected " + ar.cause()), fp);
      } catch (RuntimeException e) {
        // A bug must not leave the waiters of this flight waiting forever: fail closed instead.
        log.error("introspection:{} unexpected error judging the answer for token {}", name, fp, e);
        answer = new Answer.Failed("unexpected " + e.getClass().getSimpleName());
      }
      if (answer instanceof Answer.Failed failed) {
        lastError = failed.reason();
        boolean opened = breaker.failed();
        log.error("introspection:{} cannot verify token {}: {}; answering 503", name, fp, failed.reason());
        if (opened) {
          log.error("introspection:{} circuit breaker OPEN for {} after {} consecutive failures; bearer tokens of this"
              + " provider that are not cached answer 503 without a call", name, breaker.cooldown(), breaker.consecutiveFailures());
        }
      } else {
        if (lastError != null) log.info("introspection:{} answering again after a failure", name);
        lastError = null;
        breaker.succeeded();
        cache.put(key, answer);
      }
      finish(key, mine, answer);
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
        log.error("introspection:{} unexpected error for token {}", name, key.fingerprint(), ar.cause());
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

  /** Closes the HTTP client; call when a reload replaces this authenticator. */
  public void close() {
    client.close();
  }

  long calls() {
    return calls.get();
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  AnswerCache cache() {
    return cache;
  }
}
