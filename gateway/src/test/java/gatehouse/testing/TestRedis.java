package gatehouse.testing;

import gatehouse.config.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Redis for tests: the machine's shared server at 127.0.0.1:6379, used under a key prefix unique
 * to one test run (its keys deleted by {@link #deleteKeys}), and servers a test owns ({@link
 * Server}, {@link Cluster}) on free ports, which it may freeze, kill and restart, each stopped by
 * its PID. Without Redis (or {@code redis-server} and {@code redis-cli}) a test is skipped, except
 * on CI ({@code CI=true}), where it fails.
 */
public final class TestRedis {
  public static final String SHARED = "redis://127.0.0.1:6379";

  private TestRedis() {}

  /** A prefix no other run uses: {@code gh-test-<random>:}. */
  public static String uniquePrefix() {
    return "gh-test-" + UUID.randomUUID().toString().substring(0, 13) + ":";
  }

  /** The limiter's config for {@code endpoints}, the rest as given. */
  public static RedisConfig config(List<String> endpoints, boolean cluster, String prefix, Duration timeout,
      RedisConfig.Fallback fallback, Duration heartbeat) {
    return new RedisConfig(endpoints, cluster, Optional.empty(), Optional.empty(), prefix, timeout, fallback, heartbeat);
  }

  /** Skips the calling test when the shared Redis does not answer, unless on CI, where that is a failure. */
  public static void requireShared() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), 6379)) {
      s.setSoTimeout(2000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] b = new byte[7];
      int n = s.getInputStream().read(b);
      if (n < 5 || !new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) throw new IOException("no PONG");
    } catch (IOException e) {
      missing("Redis at 127.0.0.1:6379 is not reachable: " + e.getMessage());
    }
  }

  /** Skips (or on CI fails) when {@code program} is not installed. */
  public static void requireProgram(String program) {
    try {
      Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(program + " --version failed");
    } catch (IOException e) {
      missing(program + " is not installed (Debian: apt-get install redis-server redis-tools): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void missing(String why) {
    if ("true".equals(System.getenv("CI"))) throw new AssertionError(why + "; required on CI");
    Assumptions.abort(why);
  }

  /** Runs {@code command} on the server at {@code endpoint} with a short-lived client; its answer. */
  public static Response send(Vertx vertx, String endpoint, boolean cluster, Request command) {
    Redis client = Redis.createClient(vertx, new RedisOptions().setType(cluster ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
        .setConnectionString(endpoint));
    try {
      return TestVertx.await(client.send(command));
    } finally {
      TestVertx.await(client.close());
    }
  }

  /** Deletes every key under {@code prefix} on the standalone server at {@code endpoint}; how many there were. */
  public static int deleteKeys(Vertx vertx, String endpoint, String prefix) {
    List<String> keys = keys(vertx, endpoint, prefix);
    if (!keys.isEmpty()) {
      Request del = Request.cmd(Command.DEL);
      keys.forEach(del::arg);
      send(vertx, endpoint, false, del);
    }
    return keys.size();
  }

  /** The keys under {@code prefix} on the standalone server at {@code endpoint}. */
  public static List<String> keys(Vertx vertx, String endpoint, String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response r = send(vertx, endpoint, false, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000));
      cursor = r.get(0).toString();
      for (Response k : r.get(1)) keys.add(k.toString());
    } while (!cursor.equals("0"));
    return keys;
  }

  /** Two free ports {@code p} and {@code p + 10000} (a Cluster node's bus), {@code p} between 20000 and 50000. */
  static int freePort() {
    for (int i = 0; i < 200; i++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 50_000);
      if (free(p) && free(p + 10_000)) return p;
    }
    throw new AssertionError("no free port pair found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A {@code redis-server} this test owns, on 127.0.0.1 and a free port, with no persistence. It
   * can be frozen (SIGSTOP: connections stay open, nothing answers), killed (SIGKILL, as a crash)
   * and started again on the same port. {@link #close} stops it by its PID and deletes its files.
   */
  public static final class Server implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final List<String> extra;
    private Process process;

    private Server(int port, Path dir, List<String> extra) {
      this.port = port;
      this.dir = dir;
      this.extra = extra;
    }

    public static Server start() {
      return start(List.of());
    }

    static Server start(List<String> extra) {
      requireProgram("redis-server");
      try {
        Server s = new Server(freePort(), Files.createTempDirectory("gatehouse-redis"), extra);
        s.restart();
        return s;
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    public int port() {
      return port;
    }

    public String endpoint() {
      return "redis://127.0.0.1:" + port;
    }

    public long pid() {
      return process.pid();
    }

    /** Starts the server again (after {@link #kill}) on its port, and waits until it answers. */
    public void restart() {
      if (process != null && process.isAlive()) throw new IllegalStateException("redis-server on " + port + " is running");
      List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString()));
      command.addAll(extra);
      try {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!answers()) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("redis-server on " + port + " did not start: " + log());
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }

    /** SIGKILL: the server is gone at once, as in a crash. */
    public void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** SIGSTOP: connections stay open and nothing answers, as a server stuck or a network that drops packets. */
    public void freeze() {
      signal("-STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw() {
      signal("-CONT");
    }

    private void signal(String signal) {
      try {
        Process p = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("kill " + signal + " failed");
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private boolean answers() {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(1000);
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] b = new byte[7];
        int n = s.getInputStream().read(b);
        return n >= 5 && new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
      } catch (IOException e) {
        return false;
      }
    }

    String log() {
      try {
        return Files.readString(dir.resolve("redis-" + port + ".log"));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    @Override
    public void close() {
      if (process != null) {
        if (process.isAlive()) thaw();
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          process.destroyForcibly();
        }
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp dir left behind is harmless
      }
    }
  }

  /**
   * A three-node Redis Cluster this test owns ({@code redis-server --cluster-enabled yes} three
   * times, joined by {@code redis-cli --cluster create}, no replicas), every slot served once it
   * returns.
   */
  public static final class Cluster implements AutoCloseable {
    private final List<Server> nodes = new ArrayList<>();

    public static Cluster start() {
      requireProgram("redis-server");
      requireProgram("redis-cli");
      Cluster c = new Cluster();
      try {
        for (int i = 0; i < 3; i++) {
          c.nodes.add(Server.start(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + i + ".conf",
              "--cluster-node-timeout", "5000")));
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (Server s : c.nodes) create.add("127.0.0.1:" + s.port());
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        run(create);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.ready()) {
          if (System.nanoTime() > deadline) throw new AssertionError("the cluster did not become ready");
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return c;
      } catch (RuntimeException | Error e) {
        c.close();
        throw e;
      }
    }

    /** The seed nodes, {@code redis://127.0.0.1:port} each. */
    public List<String> endpoints() {
      return nodes.stream().map(Server::endpoint).toList();
    }

    /** The node that serves {@code key}'s slot (the others answer {@code MOVED}). */
    public Server serving(String key) {
      for (Server s : nodes) {
        if (!run(List.of("redis-cli", "-p", Integer.toString(s.port()), "exists", key)).startsWith("MOVED")) return s;
      }
      throw new AssertionError("no node serves " + key);
    }

    /** The seed nodes with {@code first} first. */
    public List<String> endpointsStartingWith(Server first) {
      List<String> out = new ArrayList<>(List.of(first.endpoint()));
      for (Server s : nodes) if (s != first) out.add(s.endpoint());
      return out;
    }

    /** A node that does not serve {@code key}'s slot. */
    public Server notServing(String key) {
      Server owner = serving(key);
      return nodes.stream().filter(s -> s != owner).findFirst().orElseThrow();
    }

    private boolean ready() {
      for (Server s : nodes) {
        String info = run(List.of("redis-cli", "-p", Integer.toString(s.port()), "cluster", "info"));
        if (!info.contains("cluster_state:ok")) return false;
      }
      return true;
    }

    private static String run(List<String> command) {
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + out);
        return out;
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      nodes.forEach(Server::close);
    }
  }
}
