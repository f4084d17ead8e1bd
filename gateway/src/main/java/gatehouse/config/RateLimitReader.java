package gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rate_limits:} (top level and on a route) and {@code failed_auth_limit:}. Each limit is
 * {@code {by, requests, per}}, and for {@code by: address} (and {@code failed_auth_limit}) an
 * optional {@code ipv6_prefix}; a limit that could never count a request on its route, or that the
 * limiter could not hold exactly, is refused.
 */
final class RateLimitReader {
  private static final Duration MAX_PER = Duration.ofDays(1);
  private static final int MAX_REQUESTS = 1_000_000_000;
  private static final Map<String, RateLimitConfig.By> BY = byName();
  private static final Shape.Key REQUESTS = Shape.key("requests", Shape.whole(1, MAX_REQUESTS),
      "Tokens in a full bucket: requests allowed at once after a quiet 'per'.").required();
  private static final Shape.Key PER = Shape.key("per", Shape.positiveSpan(), "Time in which an empty bucket fills again; at most 1d.")
      .required();
  private static final Shape.Key IPV6_PREFIX = Shape.key("ipv6_prefix", Shape.whole(RateLimitConfig.MIN_IPV6_PREFIX, 128),
      "With by: address, IPv6 clients are counted per network of this prefix length; IPv4 per address. Default 64.");
  static final Shape.Obj SHAPE = Shape.obj("A rate limit: 'requests' per 'per', one bucket per 'by'.",
      Shape.key("by", Shape.choice(BY.keySet()), "Whose requests one bucket counts.").required(), REQUESTS, PER, IPV6_PREFIX)
      .named("rate_limit");
  static final Shape.Obj FAILED_AUTH = Shape.obj("Refused credentials (401) counted per client address; over it, that address's"
      + " credentials get 429 without being verified. Default: none.", REQUESTS, PER, IPV6_PREFIX);

  private final Reader reader;

  RateLimitReader(Reader reader) {
    this.reader = reader;
  }

  /** The top-level {@code rate_limits} and {@code failed_auth_limit}. */
  RateLimitsConfig top(Fields top) {
    List<RateLimitConfig> every = top.node("rate_limits").map(n -> list(n, "rate_limits", false, Optional.empty())).orElse(List.of());
    Optional<RateLimitConfig> failedAuth = top.fields("failed_auth_limit", FAILED_AUTH)
        .flatMap(f -> limit(f, Optional.of(RateLimitConfig.By.ADDRESS)));
    return new RateLimitsConfig(every, failedAuth);
  }

  /**
   * A {@code rate_limits} list at {@code path}: a route's ({@code onRoute}, with its policy when that
   * was readable) or the top-level one.
   */
  List<RateLimitConfig> list(Node node, String path, boolean onRoute, Optional<Policy> routePolicy) {
    List<RateLimitConfig> out = new ArrayList<>();
    Optional<List<Node>> items = reader.list(node, path);
    if (items.isEmpty()) return out;
    Map<RateLimitConfig, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < items.get().size(); i++) {
      String p = path + "[" + i + "]";
      Node item = items.get().get(i);
      Optional<Fields> f = reader.fields(item, p, SHAPE);
      if (f.isEmpty()) continue;
      f.get().require("by");
      Optional<RateLimitConfig.By> by = f.get().choice("by", BY);
      if (onRoute) by.ifPresent(b -> checkApplies(f.get(), b, routePolicy));
      Optional<RateLimitConfig> limit = by.flatMap(b -> limit(f.get(), Optional.of(b)));
      if (limit.isEmpty()) continue;
      // Two address limits that differ only in ipv6_prefix count each IPv4 client in one bucket twice.
      Integer first = seen.putIfAbsent(new RateLimitConfig(limit.get().by(), limit.get().requests(), limit.get().per()), i);
      if (first != null) {
        reader.problems.add(item, p, "the same limit as " + path + "[" + first + "]: it would count every request twice");
        continue;
      }
      out.add(limit.get());
    }
    return out;
  }

  /** {@code requests} and {@code per} of {@code f}, counted {@code by}. */
  private Optional<RateLimitConfig> limit(Fields f, Optional<RateLimitConfig.By> by) {
    f.require("requests");
    f.require("per");
    Optional<Integer> requests = f.integer("requests", 1, MAX_REQUESTS);
    Optional<Duration> per = f.duration("per", true).filter(d -> {
      if (d.compareTo(MAX_PER) <= 0) return true;
      reader.problems.add(f.node("per").get(), f.pathOf("per"), "must be at most 1d, got " + Reader.shown(f.node("per").get()));
      return false;
    });
    Optional<Integer> ipv6Prefix = Optional.of(RateLimitConfig.DEFAULT_IPV6_PREFIX);
    if (f.node("ipv6_prefix").isPresent()) {
      if (by.isPresent() && by.get() != RateLimitConfig.By.ADDRESS) {
        reader.problems.add(f.node("ipv6_prefix").get(), f.pathOf("ipv6_prefix"),
            "only a limit by address counts clients by network; this one counts by " + by.get().configName());
        return Optional.empty();
      }
      ipv6Prefix = f.integer("ipv6_prefix", RateLimitConfig.MIN_IPV6_PREFIX, 128);
    }
    if (requests.isEmpty() || per.isEmpty() || by.isEmpty() || ipv6Prefix.isEmpty()) return Optional.empty();
    // The limiter keeps a bucket as requests × per nanoseconds of credit, exactly, in a long.
    long most = Long.MAX_VALUE / per.get().toNanos();
    if (requests.get() > most) {
      reader.problems.add(f.node("requests").get(), f.pathOf("requests"), "must be at most " + most + " per "
          + Reader.shown(f.node("per").get()) + " (the limiter counts requests × per in nanoseconds), got " + requests.get());
      return Optional.empty();
    }
    return Optional.of(new RateLimitConfig(by.get(), requests.get(), per.get(), ipv6Prefix.get()));
  }

  /** A limit that could never count a request on its route is a mistake, refused. */
  private void checkApplies(Fields f, RateLimitConfig.By by, Optional<Policy> routePolicy) {
    Policy policy = routePolicy.orElse(null);
    String problem = null;
    if (by == RateLimitConfig.By.GLOBAL) {
      problem = "global is for the top-level rate_limits (one bucket for the whole gateway); on a route write 'route'";
    } else if ((by == RateLimitConfig.By.SUBJECT || by == RateLimitConfig.By.KEY) && policy instanceof Policy.Public) {
      problem = "'" + by.configName() + "' never counts a request on a public route, which authenticates no one";
    } else if (by == RateLimitConfig.By.KEY && policy != null && !(policy instanceof Policy.ApiKey || policy instanceof Policy.Any)) {
      problem = "'key' never counts a request on this route: its policy takes no API key";
    }
    if (problem != null) reader.problems.add(f.node("by").get(), f.pathOf("by"), problem);
  }

  private static Map<String, RateLimitConfig.By> byName() {
    Map<String, RateLimitConfig.By> m = new LinkedHashMap<>();
    for (RateLimitConfig.By b : RateLimitConfig.By.values()) m.put(b.configName(), b);
    return m;
  }
}
