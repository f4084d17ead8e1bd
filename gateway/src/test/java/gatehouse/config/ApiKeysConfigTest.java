package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysConfigTest {
  private static String keys(String... lines) {
    return MINIMAL + "auth:\n  api_keys:\n" + String.join("\n", lines) + "\n";
  }

  @Test
  void theDefaultsAreAnSqliteFileBesideTheConfigAndThirtySecondsOfCache() throws Exception {
    ApiKeysConfig c = parse(MINIMAL).auth().keyStore();
    assertEquals("jdbc:sqlite:/etc/gatehouse/data/gatehouse.db", c.store().jdbcUrl());
    assertEquals(Optional.of(Path.of("/etc/gatehouse/data/gatehouse.db")), c.store().sqliteFile());
    assertEquals(Duration.ofSeconds(30), c.cacheTtl());
    assertEquals(Duration.ofSeconds(5), c.negativeCacheTtl());
    assertEquals(Duration.ofMinutes(5), c.staleIfError());
    assertEquals(Optional.empty(), c.pepper());
    assertEquals(Optional.empty(), c.adminApi().token());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Map<String, String> env = Map.of("PEPPER", "p".repeat(32), "ADMIN", "t".repeat(40), "DB", "postgresql://gh:s3cret@db.internal:5433/keys?currentSchema=gw&sslmode=require");
    ApiKeysConfig c = parse(keys(
        "    store: ${DB}",
        "    pool_size: 8",
        "    db_timeout: 3s",
        "    pepper: ${PEPPER}",
        "    cache_ttl: 10s",
        "    negative_cache_ttl: 2s",
        "    stale_if_error: 1m",
        "    last_used_interval: 5s",
        "    admin_api: {token: \"${ADMIN}\", allow_from: [10.0.0.0/8]}"), env).auth().keyStore();
    assertEquals("jdbc:postgresql://db.internal:5433/keys?currentSchema=gw&sslmode=require", c.store().jdbcUrl());
    assertEquals(Optional.of("gh"), c.store().user());
    assertEquals(Optional.of("s3cret"), c.store().password());
    assertEquals(Optional.of("gw"), c.store().schema());
    assertEquals(8, c.store().poolSize());
    assertEquals(Duration.ofSeconds(3), c.store().timeout());
    assertEquals(Optional.of("p".repeat(32)), c.pepper());
    assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(5)),
        List.of(c.cacheTtl(), c.negativeCacheTtl(), c.staleIfError(), c.lastUsedInterval()));
    assertEquals(List.of("10.0.0.0/8"), c.adminApi().allowFrom());
    assertFalse(c.toString().contains("s3cret") || c.toString().contains("ppppp") || c.toString().contains("ttttt"), c.toString());
  }

  @Test
  void aRelativeSqlitePathIsResolvedAgainstTheConfigFilesDirectory() throws Exception {
    assertEquals("jdbc:sqlite:/etc/gatehouse/var/keys.db", parse(keys("    store: sqlite:var/keys.db")).auth().keyStore().store().jdbcUrl());
  }

  @Test
  void badValuesAreReportedWithFileLineAndKey() {
    assertEquals(List.of(
        "gatehouse.yaml:7: auth.api_keys.store: 'mysql://x/y' must be sqlite:PATH or postgresql://[user[:password]@]host[:port]/database",
        "gatehouse.yaml:8: auth.api_keys.pepper: must come from the environment (write ${VARIABLE}), never from the file",
        "gatehouse.yaml:9: auth.api_keys.cache_ttl: must be more than 0",
        "gatehouse.yaml:10: auth.api_keys.pool_size: must be between 1 and 100, got '0'",
        "gatehouse.yaml:11: auth.api_keys.cahce_ttl: unknown key 'cahce_ttl' (did you mean 'cache_ttl'?)"),
        problems(keys(
            "    store: mysql://x/y",
            "    pepper: not-from-env-not-from-env-not-from-env",
            "    cache_ttl: 0s",
            "    pool_size: 0",
            "    cahce_ttl: 5s")));
  }

  @Test
  void secretsAndStoresFromTheEnvironmentAreNeverQuoted() {
    assertEquals(List.of(
        "gatehouse.yaml:7: auth.api_keys.store: the value must be sqlite:PATH or postgresql://[user[:password]@]host[:port]/database",
        "gatehouse.yaml:8: auth.api_keys.pepper: must be at least 32 characters"),
        problems(keys("    store: ${DB}", "    pepper: ${PEPPER}"), Map.of("DB", "hunter2", "PEPPER", "short")));
  }

  @Test
  void aPasswordWrittenInTheFileIsRefused() {
    assertEquals(List.of("gatehouse.yaml:7: auth.api_keys.store: a password must come from the environment, e.g. store: ${GATEHOUSE_KEY_STORE}"),
        problems(keys("    store: postgresql://u:pw@127.0.0.1/test")));
  }

  @Test
  void theNegativeCacheMayNotOutliveThePositiveOne() {
    assertEquals(List.of("gatehouse.yaml:8: auth.api_keys.negative_cache_ttl: must not be longer than cache_ttl"),
        problems(keys("    cache_ttl: 5s", "    negative_cache_ttl: 10s")));
  }

  @Test
  void theAdminApiNeedsAnEnvironmentTokenAndValidCidrs() {
    assertEquals(List.of(
        "gatehouse.yaml:7: auth.api_keys.admin_api.token: must come from the environment (write ${VARIABLE}), never from the file",
        "gatehouse.yaml:7: auth.api_keys.admin_api.allow_from[0]: '10.0.0.1/8' has address bits set past the prefix length /8"),
        problems(keys("    admin_api: {token: abc, allow_from: [10.0.0.1/8]}")));
  }

  @Test
  void anEmptySecretFromTheEnvironmentMeansNone() throws Exception {
    ApiKeysConfig c = parse(keys("    pepper: ${P:-}", "    admin_api: {token: \"${T:-}\"}")).auth().keyStore();
    assertEquals(Optional.empty(), c.pepper());
    assertEquals(Optional.empty(), c.adminApi().token());
  }
}
