package gatehouse.config;

import java.time.Duration;

/**
 * One entry of a {@code rate_limits:} list (top level or a route's): at most {@code requests} per
 * {@code per}, counted separately for each value of {@code by}. The reader checked that the limit
 * is one the limiter can hold exactly ({@code requests × per} within 2^63 nanoseconds, {@code per}
 * at most a day).
 *
 * @param ipv6Prefix for {@link By#ADDRESS}: IPv6 clients are counted per network of this many
 *     leading bits ({@code ipv6_prefix}, default {@value #DEFAULT_IPV6_PREFIX}: one subscriber's
 *     /64 is one client), IPv4 clients per address; ignored by the other kinds
 */
public record RateLimitConfig(By by, long requests, Duration per, int ipv6Prefix) {
  /** A /64 is the smallest network an IPv6 subscriber is given (RFC 6177), as Cloudflare counts. */
  public static final int DEFAULT_IPV6_PREFIX = 64;
  public static final int MIN_IPV6_PREFIX = 32;

  public RateLimitConfig {
    if (ipv6Prefix < MIN_IPV6_PREFIX || ipv6Prefix > 128) {
      throw new IllegalArgumentException("ipv6Prefix must be within " + MIN_IPV6_PREFIX + " and 128, got " + ipv6Prefix);
    }
  }

  /** A limit with the default {@link #ipv6Prefix}. */
  public RateLimitConfig(By by, long requests, Duration per) {
    this(by, requests, per, DEFAULT_IPV6_PREFIX);
  }

  /** Whose requests one bucket counts. */
  public enum By {
    /** Every request of the gateway (top level only). */
    GLOBAL("global"),
    /** Each route's requests. */
    ROUTE("route"),
    /** Each client address, after {@code forwarding.trusted_proxies}. */
    ADDRESS("address"),
    /** Each authenticated subject of each provider; anonymous requests are not counted. */
    SUBJECT("subject"),
    /** Each API key, by its id; requests without an API key are not counted. */
    KEY("key");

    private final String configName;

    By(String configName) {
      this.configName = configName;
    }

    /** The name written in the file. */
    public String configName() {
      return configName;
    }
  }
}
