package gatehouse.config;

import java.time.Duration;

/**
 * One entry of a {@code rate_limits:} list (top level or a route's): at most {@code requests} per
 * {@code per}, counted separately for each value of {@code by}. The reader checked that the limit
 * is one the limiter can hold exactly ({@code requests × per} within 2^63 nanoseconds, {@code per}
 * at most a day).
 */
public record RateLimitConfig(By by, long requests, Duration per) {

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
