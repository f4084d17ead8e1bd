package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.secret.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisConfigTest {

  private static String withRedis(String redis) {
    return TestConfigs.MINIMAL + "redis:\n" + redis;
  }

  @Test
  void withoutRedisRateLimitsStayInTheProcess() throws ConfigException {
    assertEquals(Optional.empty(), parse(TestConfigs.MINIMAL).redis());
  }

  @Test
  void oneServerTakesTheDefaults() throws ConfigException {
    assertEquals(Optional.of(new RedisConfig(List.of("redis://10.0.0.5:6379"), false, Optional.empty(), Optional.empty(), "gatehouse:",
        Duration.ofMillis(25), RedisConfig.Fallback.LOCAL, Duration.ofSeconds(1))), parse(withRedis("  url: redis://10.0.0.5\n")).redis());
  }

  @Test
  void everyKeyIsReadAsWritten() throws ConfigException {
    RedisConfig c = parse(withRedis("""
          nodes: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7001"]
          user: gateway
          password: ${REDIS_PASSWORD}
          key_prefix: "edge:eu-1:"
          timeout: 40ms
          fallback: closed
          heartbeat: 2s
        """), Map.of("REDIS_PASSWORD", "s3cret-from-env")).redis().orElseThrow();
    assertEquals(new RedisConfig(List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7001"), true, Optional.of("gateway"),
        Optional.of(new Secret("s3cret-from-env")), "edge:eu-1:", Duration.ofMillis(40), RedisConfig.Fallback.CLOSED, Duration.ofSeconds(2)), c);
    assertFalse(c.toString().contains("s3cret"), c.toString());
    assertTrue(c.toString().contains("password set"), c.toString());
    assertEquals("redis://127.0.0.1:6380/2", parse(withRedis("  url: redis://127.0.0.1:6380/2\n")).redis().orElseThrow().endpoints().get(0));
  }

  @Test
  void anEmptyPasswordFromTheEnvironmentMeansNone() throws ConfigException {
    assertEquals(Optional.empty(), parse(withRedis("  url: redis://127.0.0.1\n  password: ${REDIS_PASSWORD:-}\n")).redis().orElseThrow().password());
  }

  @Test
  void mistakesNameFileLineAndKey() {
    assertEquals(List.of("gatehouse.yaml:7: redis.timout: unknown key 'timout' (did you mean 'timeout'?)"),
        problems(withRedis("  url: redis://127.0.0.1\n  timout: 10ms\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.url: is required (or nodes, for a Redis Cluster)"), problems(withRedis("  timeout: 10ms\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.nodes: give url (one server) or nodes (a Redis Cluster), not both"),
        problems(withRedis("  url: redis://127.0.0.1\n  nodes: [redis://127.0.0.1:7000]\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.fallback: expected local, open or closed, got 'allow'"),
        problems(withRedis("  url: redis://127.0.0.1\n  fallback: allow\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.password: must come from the environment (write ${VARIABLE}), never from the file"),
        problems(withRedis("  url: redis://127.0.0.1\n  password: hunter2\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.url: must not contain user info (a password in a URL ends up in logs); write user: and"
        + " password: ${VARIABLE}"), problems(withRedis("  url: redis://u:p@127.0.0.1\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.url: TLS to Redis (rediss://) is not supported yet; reach Redis over a private network or"
        + " a local TLS tunnel"), problems(withRedis("  url: rediss://127.0.0.1\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.url: 'http://127.0.0.1' must be redis://host[:port][/db]"),
        problems(withRedis("  url: http://127.0.0.1\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.nodes[0]: 'redis://127.0.0.1:7000/1' must not name a database (a Redis Cluster has only"
        + " database 0)"), problems(withRedis("  nodes: [redis://127.0.0.1:7000/1]\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.key_prefix: 'gh{x}' is not a valid key prefix (1 to 64 letters, digits, '_', '.', ':',"
        + " '-'; braces would choose the Cluster hash slot)"), problems(withRedis("  url: redis://127.0.0.1\n  key_prefix: gh{x}\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.timeout: must be at most 10s: every limited request may wait this long"),
        problems(withRedis("  url: redis://127.0.0.1\n  timeout: 11s\n")));
    assertEquals(List.of("gatehouse.yaml:7: redis.heartbeat: must be between 100ms and 1m"),
        problems(withRedis("  url: redis://127.0.0.1\n  heartbeat: 50ms\n")));
    assertEquals(List.of("gatehouse.yaml:6: redis.nodes: must name at least one node"), problems(withRedis("  nodes: []\n")));
  }

  @Test
  void aUrlFromTheEnvironmentIsNeverQuoted() {
    List<String> p = problems(withRedis("  url: ${REDIS_URL}\n"), Map.of("REDIS_URL", "http://secret-host:1"));
    assertEquals(List.of("gatehouse.yaml:6: redis.url: the value must be redis://host[:port][/db]"), p);
  }
}
