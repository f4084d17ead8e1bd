package gatehouse;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.RedisConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.RedisRateLimiter;
import gatehouse.ratelimit.Verdict;
import gatehouse.testing.TestRedis;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Services} chooses the limiter from the config's {@code redis}, exports its meters and closes it. */
class ServicesLimiterTest {

  @Test
  void withoutRedisTheLimiterIsThisProcesssOwn() {
    Vertx vertx = TestVertx.create();
    try {
      Services services = new Services(vertx, Clock.systemUTC(), SignatureEngine.jdk(), Optional.empty());
      assertFalse(services.limiter() instanceof RedisRateLimiter);
      assertFalse(services.metrics().scrape().contains("gatehouse_rate_limit_"), "no Redis meters without Redis");
      await(services.close());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void withRedisTheLimiterIsSharedMeteredAndLeavesTheFleetOnClose() {
    TestRedis.requireShared();
    String prefix = TestRedis.uniquePrefix();
    Vertx vertx = TestVertx.create();
    try {
      RedisConfig redis = TestRedis.config(List.of(TestRedis.SHARED), false, prefix, Duration.ofSeconds(2), RedisConfig.Fallback.CLOSED,
          Duration.ofMillis(200));
      Services services = new Services(vertx, Clock.systemUTC(), SignatureEngine.jdk(), Optional.of(redis));
      assertInstanceOf(RedisRateLimiter.class, services.limiter());
      assertInstanceOf(Verdict.Allowed.class, await(services.limiter().acquire("key:services", Limit.perMinute(5))));
      String scrape = services.metrics().scrape();
      assertTrue(scrape.contains("gatehouse_rate_limit_decisions_total{backend=\"redis\",outcome=\"allowed\"} 1.0"), scrape);
      assertTrue(scrape.contains("gatehouse_rate_limit_fallback_active 0.0"), scrape);
      assertTrue(scrape.contains("gatehouse_rate_limit_instances "), scrape);
      assertEquals(1L, zcard(vertx, prefix), "this instance's heartbeat");
      await(services.close());
      assertEquals(0L, zcard(vertx, prefix), "closing leaves the set of live instances");
    } finally {
      TestRedis.deleteKeys(vertx, TestRedis.SHARED, prefix);
      await(vertx.close());
    }
  }

  private static long zcard(Vertx vertx, String prefix) {
    return TestRedis.send(vertx, TestRedis.SHARED, false, Request.cmd(Command.ZCARD).arg(prefix + "instances")).toLong();
  }
}
