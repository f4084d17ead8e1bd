package gatehouse.limit;

import com.github.benmanes.caffeine.cache.Cache;
import gatehouse.authn.ClaimPath;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Quota;
import gatehouse.authn.Scheme;
import gatehouse.config.RateLimitConfig;
import gatehouse.config.RateLimitsConfig;
import gatehouse.config.RouteConfig;
import gatehouse.ratelimit.BucketKey;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.QuotaVerdict;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.Verdict;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The limit stage: decides which buckets apply to a request, asks the {@link RateLimiter} for a
 * token from each, and combines the verdicts. The buckets: the limit a credential carries itself
 * (an API key's {@code rate_limit}), the top-level {@code rate_limits} (one set of buckets for the
 * gateway) and the route's own {@code rate_limits}. Also counts refused credentials per client
 * address ({@code failed_auth_limit}) and screens addresses over that limit before their next
 * credential is verified.
 *
 * <p>Every count goes through the {@link RateLimiter}, so a shared limiter shares all of them.
 * Which addresses this process saw go over {@code failed_auth_limit}, and until when, is kept in
 * {@link FailedAuthScreens} (a screen must not take a token, and the limiter only takes tokens);
 * like the limiter, it outlives a config, so a reload keeps both.
 */
public final class Limits {
  private static final Future<Admission> UNLIMITED = Future.succeededFuture(new Admission.Admitted(Optional.empty()));
  private static final Admission.Admitted CLEAR = new Admission.Admitted(Optional.empty());
  private static final ClaimPath AZP = ClaimPath.parse("azp");
  private static final ClaimPath CLIENT_ID = ClaimPath.parse("client_id");
  private static final ClaimPath KEY_ID = ClaimPath.parse("key_id");
  private final RateLimiter limiter;
  private final Clock clock;
  private final List<Rule> everyRoute;
  private final Map<String, List<Rule>> ownRules;
  /** {@code failed_auth_limit}, compiled, and the addresses it screens; empty without one. */
  private final Optional<FailedAuth> failedAuth;

  /** {@code failed_auth_limit}'s rule and the addresses over it, which outlive a config. */
  private record FailedAuth(Rule rule, Cache<String, FailedAuthScreens.Screened> screened) {}

  /**
   * A configured limit, compiled: its bucket names start with {@code prefix} (where it was written
   * and what it allows); a limit by address counts IPv6 clients by their /{@code ipv6Prefix}.
   */
  record Rule(String prefix, RateLimitConfig.By by, Limit limit, int ipv6Prefix) {
    static Rule of(String scope, RateLimitConfig c) {
      return new Rule(scope + "|" + c.requests() + "/" + c.per().toMillis() + "ms|", c.by(), new Limit(c.requests(), c.per()), c.ipv6Prefix());
    }

    /** Whom a limit by address counts {@code clientAddress} as: itself (IPv4) or its IPv6 network. */
    String client(String clientAddress) {
      return ClientNetwork.of(clientAddress, ipv6Prefix);
    }
  }

  private Limits(RateLimiter limiter, FailedAuthScreens screens, RateLimitsConfig config, List<RouteConfig> routes, Clock clock) {
    this.limiter = limiter;
    this.clock = clock;
    this.everyRoute = config.everyRoute().stream().map(c -> Rule.of("*", c)).toList();
    Map<String, List<Rule>> own = new HashMap<>();
    for (RouteConfig r : routes) own.put(r.id(), rules(r));
    this.ownRules = Map.copyOf(own);
    this.failedAuth = config.failedAuth().map(c -> new FailedAuth(Rule.of("failed_auth", c), screens.of(c)));
  }

  /**
   * The limit stage of a config: {@code config}'s top-level limits, and each of {@code routes}'
   * own, compiled once; {@code clock} times {@code failed_auth_limit}'s screening, whose addresses
   * are kept in {@code screens} (the process's, so that they outlive this config).
   */
  public static Limits compile(RateLimiter limiter, FailedAuthScreens screens, RateLimitsConfig config, List<RouteConfig> routes, Clock clock) {
    return new Limits(limiter, screens, config, routes, clock);
  }

  /** As {@link #compile(RateLimiter, FailedAuthScreens, RateLimitsConfig, List, Clock)} with screens of its own, that no other config sees. */
  public static Limits compile(RateLimiter limiter, RateLimitsConfig config, List<RouteConfig> routes, Clock clock) {
    return compile(limiter, new FailedAuthScreens(clock), config, routes, clock);
  }

  /** A route's own limits; the length of its id first, so no id and limit can spell another's name. */
  private static List<Rule> rules(RouteConfig route) {
    String scope = "route" + route.id().length() + ":" + route.id();
    return route.rateLimits().stream().map(c -> Rule.of(scope, c)).toList();
  }

  /**
   * Admits or refuses the request {@code route} took from {@code clientAddress} and {@code identity}
   * (empty on a public route without credentials). Called on an event loop; never blocks; the
   * future fails only if the limiter breaks its contract. When several buckets apply, each takes a
   * token, and any Unavailable, then any Denied, decides.
   *
   * <p>A credential's quota comes first, in a defined order: the quota counts the request (one
   * atomic step), and only a request it counted asks the buckets; a request over quota takes no
   * token. When a bucket then refuses it, the quota gives the request back, so the quota counts
   * exactly the requests this stage admitted. Meanwhile that request holds its unit for one step,
   * so at a window's last unit a concurrent request may be refused that a moment later would not
   * be: the quota errs towards refusing, never admits more than its requests.
   */
  public Future<Admission> admit(RouteConfig route, String clientAddress, Optional<Identity> identity, Optional<CredentialLimit> own) {
    Optional<CalendarQuota> quota = own.flatMap(CredentialLimit::quota);
    if (quota.isEmpty()) return take(charges(route, clientAddress, identity, own));
    String name = new BucketKey.Key(own.get().credentialId()).name();
    return limiter.reserve(name, quota.get()).compose(counted -> {
      if (counted instanceof QuotaVerdict.Exhausted e) {
        return Future.succeededFuture(new Admission.Limited(headers(e.state()), atLeastOneSecond(e.state().untilEnd())));
      }
      if (counted instanceof QuotaVerdict.Unavailable u) return Future.succeededFuture(new Admission.Unavailable(u.reason()));
      if (!(counted instanceof QuotaVerdict.Counted c)) throw new AssertionError("unknown quota verdict " + counted);
      return take(charges(route, clientAddress, identity, own)).compose(admission -> {
        if (admission instanceof Admission.Admitted a) {
          Quota q = headers(c.state());
          return Future.succeededFuture(a.quota().isPresent() && a.quota().get().remaining() <= q.remaining() ? a : new Admission.Admitted(Optional.of(q)));
        }
        // Refused by a bucket: the request does not count against the quota.
        return limiter.release(name, c).map(admission);
      });
    });
  }

  /** A quota's state as RateLimit headers show it: the window's requests, its length, what is left, and when it ends. */
  private static Quota headers(QuotaVerdict.State s) {
    return new Quota(s.quota().requests(), s.window().length(), s.remaining(), s.untilEnd());
  }

  /** Retry-After in whole seconds is at least 1: a client told 0 at a window's last millisecond would retry at once. */
  private static Duration atLeastOneSecond(Duration d) {
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  /** Takes a token from each of {@code charges} and combines the verdicts. */
  private Future<Admission> take(List<Charge> charges) {
    if (charges.isEmpty()) return UNLIMITED;
    if (charges.size() == 1) return acquire(charges.get(0)).map(v -> decide(List.of(v)));
    List<Future<Verdict>> asked = new ArrayList<>(charges.size());
    for (Charge c : charges) asked.add(acquire(c));
    return Future.all(asked).map(all -> decide(all.list()));
  }

  /**
   * The buckets that apply: the credential's own limit, then each top-level limit, then each of the
   * route's, in the order written. A limit by subject applies only with an identity, by key only
   * with an API key.
   */
  List<Charge> charges(RouteConfig route, String clientAddress, Optional<Identity> identity, Optional<CredentialLimit> own) {
    List<Rule> routeRules = ownRules.containsKey(route.id()) ? ownRules.get(route.id()) : rules(route);
    if (own.isEmpty() && everyRoute.isEmpty() && routeRules.isEmpty()) return List.of();
    List<Charge> out = new ArrayList<>(1 + everyRoute.size() + routeRules.size());
    own.ifPresent(c -> c.rate().ifPresent(rate -> {
      BucketKey key = new BucketKey.Key(c.credentialId());
      out.add(new Charge(key.name(), key, rate));
    }));
    for (Rule r : everyRoute) charge(r, route, clientAddress, identity).ifPresent(out::add);
    for (Rule r : routeRules) charge(r, route, clientAddress, identity).ifPresent(out::add);
    return out;
  }

  private static Optional<Charge> charge(Rule rule, RouteConfig route, String clientAddress, Optional<Identity> identity) {
    Optional<BucketKey> key = switch (rule.by()) {
      case GLOBAL -> Optional.of(new BucketKey.Global());
      case ROUTE -> Optional.of(new BucketKey.Route(route.id()));
      case ADDRESS -> Optional.of(new BucketKey.ClientAddress(rule.client(clientAddress)));
      case SUBJECT -> identity.map(i -> new BucketKey.Subject(i.scheme().name() + ":" + i.issuer(), subject(i)));
      case KEY -> identity.filter(i -> i.scheme() == Scheme.API_KEY).flatMap(i -> text(i, KEY_ID)).map(BucketKey.Key::new);
    };
    return key.map(k -> new Charge(rule.prefix() + k.name(), k, rule.limit()));
  }

  /**
   * Whose requests a limit by subject counts: the verified {@code sub}, else the client the token
   * was issued to ({@code azp}, else {@code client_id}), else {@code ""}, one bucket for every
   * token of that provider that names neither.
   */
  static String subject(Identity identity) {
    if (!identity.subject().isEmpty()) return identity.subject();
    return text(identity, AZP).or(() -> text(identity, CLIENT_ID)).orElse("");
  }

  private static Optional<String> text(Identity identity, ClaimPath path) {
    return identity.claims().at(path).map(ClaimValue::value).filter(v -> v instanceof String s && !s.isEmpty()).map(v -> (String) v);
  }

  /**
   * Before a credential from {@code clientAddress} is verified: Limited when this process saw that
   * address (an IPv6 one: its network) use up {@code failed_auth_limit} and no token is back yet, else Admitted without a
   * quota. Takes no token; never blocks; answers at once.
   */
  public Admission screen(String clientAddress) {
    if (failedAuth.isEmpty()) return CLEAR;
    FailedAuth f = failedAuth.get();
    FailedAuthScreens.Screened s = f.screened().getIfPresent(f.rule().client(clientAddress));
    if (s == null) return CLEAR;
    Instant now = clock.instant();
    if (!now.isBefore(s.until())) return CLEAR;
    Limit limit = f.rule().limit();
    Duration reset = s.full().isAfter(now) ? Duration.between(now, s.full()) : Duration.ZERO;
    return new Admission.Limited(new Quota(limit.requests(), limit.window(), 0, reset), Duration.between(now, s.until()));
  }

  /**
   * Counts a credential from {@code clientAddress} that its authenticator refused (401). When that
   * used the address's last token, or found none, the address is screened until a token is back:
   * after the last token, for one token's refill time ({@code per / requests}), at least as long
   * as any bucket takes. The future completes once counted (a limiter that cannot answer counts
   * nothing); never fails.
   */
  public Future<Void> failed(String clientAddress) {
    if (failedAuth.isEmpty()) return Future.succeededFuture();
    Rule rule = failedAuth.get().rule();
    Cache<String, FailedAuthScreens.Screened> screened = failedAuth.get().screened();
    String client = rule.client(clientAddress);
    BucketKey key = new BucketKey.ClientAddress(client);
    return limiter.acquire(rule.prefix() + key.name(), rule.limit()).map(v -> {
      Instant now = clock.instant();
      if (v instanceof Verdict.Allowed a && a.remaining() == 0) {
        Duration oneToken = Duration.ofNanos(ceilDiv(rule.limit().window().toNanos(), rule.limit().requests()));
        screened.put(client, new FailedAuthScreens.Screened(now.plus(oneToken), now.plus(a.resetAfter())));
      } else if (v instanceof Verdict.Denied d) {
        screened.put(client, new FailedAuthScreens.Screened(now.plus(d.retryAfter()), now.plus(d.resetAfter())));
      }
      return (Void) null;
    }).otherwiseEmpty();
  }

  private Future<Verdict> acquire(Charge c) {
    return limiter.acquire(c.name(), c.limit());
  }

  static Admission decide(List<Verdict> verdicts) {
    Admission.Limited limited = null;
    Quota tightest = null;
    for (Verdict v : verdicts) {
      if (v instanceof Verdict.Unavailable u) return new Admission.Unavailable(u.reason());
      if (v instanceof Verdict.Denied d) {
        Quota q = new Quota(d.limit().requests(), d.limit().window(), 0, d.resetAfter());
        if (limited == null || d.retryAfter().compareTo(limited.retryAfter()) > 0) limited = new Admission.Limited(q, d.retryAfter());
      } else if (v instanceof Verdict.Allowed a) {
        Quota q = new Quota(a.limit().requests(), a.limit().window(), a.remaining(), a.resetAfter());
        if (tightest == null || q.remaining() < tightest.remaining()) tightest = q;
      } else {
        throw new AssertionError("unknown verdict " + v);
      }
    }
    return limited != null ? limited : new Admission.Admitted(Optional.ofNullable(tightest));
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
