package gatehouse.config;

import gatehouse.secret.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code redis}: the shared store that makes the rate limits of several gateway instances one
 * limit. Without it every instance keeps its own buckets. {@link #toString()} never shows the
 * password.
 *
 * @param endpoints {@code redis://host:port[/db]}: one for {@code url}, one or more seed nodes for {@code nodes}
 * @param cluster whether {@code nodes} (a Redis Cluster) was given rather than {@code url}
 * @param user the ACL user name, when not the default user
 * @param password from the environment only
 * @param keyPrefix put before every key the gateway writes, default {@code gatehouse:}
 * @param timeout the longest a rate-limit decision waits on Redis, default 25ms
 * @param fallback what decides while Redis does not answer in time
 * @param heartbeat how often this instance announces itself (and checks that Redis is back), default 1s
 */
public record RedisConfig(List<String> endpoints, boolean cluster, Optional<String> user, Optional<Secret> password,
    String keyPrefix, Duration timeout, Fallback fallback, Duration heartbeat) {

  public static final String DEFAULT_KEY_PREFIX = "gatehouse:";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(25);
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

  /** What decides while Redis is away. */
  public enum Fallback {
    /** Buckets in this process at each limit divided by the instances last seen alive. */
    LOCAL,
    /** Every request is allowed. */
    OPEN,
    /** Every request that has a limit is refused: 503 {@code rate_limiter_unavailable}. */
    CLOSED
  }

  public RedisConfig {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) throw new IllegalArgumentException("at least one endpoint is required");
    if (!cluster && endpoints.size() != 1) throw new IllegalArgumentException("a standalone server has one endpoint, got " + endpoints.size());
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(fallback, "fallback");
    if (keyPrefix.contains("{") || keyPrefix.contains("}")) {
      throw new IllegalArgumentException("keyPrefix must not contain '{' or '}' (they choose the Cluster hash slot)");
    }
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    if (heartbeat.isNegative() || heartbeat.isZero()) throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
  }

  @Override
  public String toString() {
    return "RedisConfig[" + (cluster ? "cluster " : "") + endpoints + user.map(u -> ", user " + u).orElse("")
        + ", password " + (password.isPresent() ? "set" : "unset") + ", keyPrefix " + keyPrefix + ", timeout " + timeout
        + ", fallback " + fallback + ", heartbeat " + heartbeat + "]";
  }
}
