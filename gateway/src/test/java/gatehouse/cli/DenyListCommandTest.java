package gatehouse.cli;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.revoke.DenyEntry;
import gatehouse.revoke.DenyList;
import gatehouse.testing.TestRedis;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code gatehouse denylist} against the machine's Redis, under a prefix of this run, with a
 * shared list in this process standing for a running gateway: it sees the CLI's changes.
 */
class DenyListCommandTest {
  private Path dir;
  private String prefix;
  private Vertx vertx;
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void setUp() throws Exception {
    TestRedis.requireShared();
    prefix = TestRedis.uniquePrefix();
    vertx = TestVertx.create();
    dir = Files.createTempDirectory("gatehouse-denylist-cli");
    Files.writeString(dir.resolve("gatehouse.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "upstreams: {app: {url: \"http://127.0.0.1:1\"}}",
        "redis: {url: \"" + TestRedis.SHARED + "\", key_prefix: \"" + prefix + "\"}",
        "routes:",
        "  - {id: all, match: {prefix: /}, upstream: app, policy: public}",
        ""));
    Files.writeString(dir.resolve("local.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "upstreams: {app: {url: \"http://127.0.0.1:1\"}}",
        "routes:",
        "  - {id: all, match: {prefix: /}, upstream: app, policy: public}",
        ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (vertx == null) return;
    TestRedis.deleteKeys(vertx, TestRedis.SHARED, prefix);
    await(vertx.close());
    Files.deleteIfExists(dir.resolve("gatehouse.yaml"));
    Files.deleteIfExists(dir.resolve("local.yaml"));
    Files.deleteIfExists(dir);
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void anEntryAddedListedAndRemovedByTheCliIsSeenByARunningInstance() throws Exception {
    DenyList running = DenyList.shared(vertx, TestRedis.config(List.of(TestRedis.SHARED), false, prefix, Duration.ofSeconds(1),
        gatehouse.config.RedisConfig.Fallback.LOCAL, Duration.ofSeconds(1)), Clock.systemUTC());
    try {
      running.ready().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String config = dir.resolve("gatehouse.yaml").toString();
      assertEquals(0, run("denylist", "add", "--config", config, "--jti", "j-1", "--iss", "https://issuer.test", "--expires", "1h", "--json"), err.toString());
      JsonObject added = new JsonObject(out.toString().strip());
      assertEquals("jti", added.getString("type"));
      awaitSeen(running, () -> running.list().size() == 1);
      assertEquals(new DenyEntry.Match.Jti("https://issuer.test", "j-1"), running.list().get(0).match());

      assertEquals(0, run("denylist", "list", "--config", config, "--json"), err.toString());
      assertEquals(added.getString("id"), new JsonObject(out.toString().strip()).getJsonArray("entries").getJsonObject(0).getString("id"));

      assertEquals(0, run("denylist", "remove", added.getString("id"), "--config", config), err.toString());
      awaitSeen(running, () -> running.list().isEmpty());
      assertEquals(2, run("denylist", "remove", added.getString("id"), "--config", config));
      assertEquals("error: no entry has the id " + added.getString("id"), err.toString().strip());
    } finally {
      await(running.close());
    }
  }

  @Test
  void aTokenOnTheCommandLineIsNotAnOptionAndATokenHashIsChecked() {
    String config = dir.resolve("gatehouse.yaml").toString();
    assertEquals(2, run("denylist", "add", "--config", config, "--token", "eyJ.secret.token"));
    assertEquals(1, run("denylist", "add", "--config", config, "--token-sha256", "abc"));
    assertEquals("error: token_sha256 must be 64 lower-case hex digits", err.toString().strip());
  }

  @Test
  void withoutRedisTheCliPointsToTheAdminApi() {
    assertEquals(1, run("denylist", "list", "--config", dir.resolve("local.yaml").toString()));
    assertTrue(err.toString().contains("the deny-list is shared through redis:, which this config does not set;"
        + " a single gateway without Redis keeps its list in memory: use its admin API (/denylist)"), err.toString());
    assertFalse(err.toString().contains("Exception"));
  }

  private static void awaitSeen(DenyList list, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not seen within 1 s; entries " + list.list());
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
