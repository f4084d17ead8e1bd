package gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code auth.api_keys} beyond where keys are read from: the store, hashing, caching and the
 * admin API. {@link #toString()} never shows the pepper.
 *
 * @param pepper HMAC key for key hashes, always from the environment; empty: plain SHA-256
 * @param cacheTtl how long a looked-up key is trusted without asking the store again
 * @param negativeCacheTtl how long an unknown key is remembered as unknown
 * @param staleIfError how long past {@code cacheTtl} a cached key keeps working while the store is down
 * @param lastUsedInterval how often last-used times are written, in one batch
 */
public record ApiKeysConfig(
    KeyStoreConfig store,
    Optional<String> pepper,
    Duration cacheTtl,
    Duration negativeCacheTtl,
    Duration staleIfError,
    Duration lastUsedInterval,
    AdminApiConfig adminApi) {

  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ofMinutes(5);
  public static final Duration DEFAULT_LAST_USED_INTERVAL = Duration.ofSeconds(30);

  /** The defaults, with the SQLite store {@code data/gatehouse.db} under {@code baseDir}. */
  public static ApiKeysConfig defaults(Path baseDir) {
    return new ApiKeysConfig(ApiKeysReader.sqlite(baseDir.resolve("data/gatehouse.db"), "sqlite:data/gatehouse.db", 4, Duration.ofSeconds(2)),
        Optional.empty(), DEFAULT_CACHE_TTL, DEFAULT_NEGATIVE_CACHE_TTL, DEFAULT_STALE_IF_ERROR, DEFAULT_LAST_USED_INTERVAL,
        AdminApiConfig.off());
  }

  @Override
  public String toString() {
    return "ApiKeysConfig[" + store + ", pepper " + (pepper.isPresent() ? "set" : "unset") + ", cacheTtl " + cacheTtl
        + ", negativeCacheTtl " + negativeCacheTtl + ", staleIfError " + staleIfError + ", lastUsedInterval " + lastUsedInterval
        + ", " + adminApi + "]";
  }
}
