package gatehouse.abuse;

import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java <the launcher's default_opts> -jar gateway/target/gatehouse.jar run --config F} in a
 * child process, so that its RSS and descriptors are the gateway's alone, in front of two
 * {@link LoopbackUpstream}s. Its output (stdout and stderr, which is the diagnostic log) goes to
 * {@code gateway.log}; the access log goes to {@code access.log}, as in production, and is not
 * counted as log volume. Stopped by its PID.
 */
public final class GatewayChild implements AutoCloseable {
  /**
   * The suite's config beyond the listeners. Defaults everywhere, except what a production user
   * who read the README would add to routes that are known to be slow or to take uploads: a
   * {@code max_concurrent} on them, below the upstream's {@code max_connections} (64 by default)
   * as the README says, because a route's requests may all land on one event loop, whose pool is
   * 64 (at 64, four HTTP/2 connections of slow uploads on one loop took its whole pool and the
   * canaries there got 504), and a breaker on the upstream. {@code listen.h2c} is on,
   * because the HTTP/2 attacks need cleartext HTTP/2; that is the harder setting (the first
   * request head of a connection is then not under {@code limits.header_read_timeout}).
   */
  static final String CONFIG_ROUTES = String.join("\n",
      "routes:",
      "  - {id: hang, match: {prefix: " + Target.HANG + "}, upstream: target, policy: public, max_concurrent: 32}",
      "  - {id: upload, match: {prefix: " + Target.UPLOAD + "}, upstream: target, policy: public, max_concurrent: 32}",
      "  - {id: jwt, match: {prefix: " + Target.JWT + "}, upstream: target, policy: jwt}",
      "  - {id: key, match: {prefix: " + Target.API_KEY + "}, upstream: target, policy: api_key}",
      "  - {id: target, match: {prefix: /target/}, upstream: target, policy: public}",
      "  - {id: other, match: {prefix: /other/}, upstream: other, policy: public}",
      "");

  private final Process process;
  private final Path log;
  private final int port;
  private final int adminPort;

  private GatewayChild(Process process, Path log, int port, int adminPort) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.adminPort = adminPort;
  }

  /** Starts the gateway in {@code dir} before {@code target} and {@code other}; under {@code prlimit} when {@code descriptorLimit > 0}. */
  static GatewayChild start(Path dir, LoopbackUpstream target, LoopbackUpstream other, int descriptorLimit) throws Exception {
    int port = freePort();
    int adminPort = freePort();
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    String yaml = String.join("\n",
        "listen: {host: 127.0.0.1, port: " + port + ", h2c: true}",
        "admin: {host: 127.0.0.1, port: " + adminPort + "}",
        "upstreams:",
        "  target: {url: \"" + target.url() + "\", breaker: {}}",
        "  other: {url: \"" + other.url() + "\"}",
        "auth:",
        "  jwt:",
        "    - {name: main, issuer: \"" + TestTokens.ISSUER + "\", audiences: [" + TestTokens.AUDIENCE + "], jwks_file: jwks.json}",
        "  api_keys: {store: \"sqlite:keys.db\"}",
        "access_log: {target: access.log}",
        System.getProperty("gatehouse.abuse.transport") == null ? "" : "runtime: {transport: " + System.getProperty("gatehouse.abuse.transport") + "}",
        CONFIG_ROUTES);
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, yaml);
    List<String> command = new ArrayList<>();
    if (descriptorLimit > 0) command.addAll(List.of("prlimit", "--nofile=" + descriptorLimit + ":" + descriptorLimit));
    command.add(java().toString());
    command.addAll(javaOptions());
    command.addAll(List.of("-jar", jar().toString(), "run", "--config", config.toString()));
    Path log = dir.resolve("gateway.log");
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    GatewayChild child = new GatewayChild(process, log, port, adminPort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!listening(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        child.close();
        throw new AssertionError("the gateway did not listen within 30 s: " + String.join(" ", command) + "\n" + child.tail());
      }
      Thread.sleep(100);
    }
    return child;
  }

  int port() {
    return port;
  }

  /**
   * The gateway's listener counters ({@code gatehouse_connections_*}, {@code gatehouse_accept_*})
   * from its admin {@code /metrics}, one {@code name value} per line; empty if it cannot be read.
   */
  String listenerCounters() {
    gatehouse.testing.RawHttp.Response r = gatehouse.testing.RawHttp.get(adminPort, "/metrics");
    if (r.status() != 200) return "";
    return new String(r.body(), StandardCharsets.UTF_8).lines()
        .filter(l -> l.startsWith("gatehouse_connections_") || l.startsWith("gatehouse_accept_"))
        .map(l -> l.replace("_total", "").replace("gatehouse_", "")).reduce((a, b) -> a + ", " + b).orElse("");
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Bytes the gateway has written to its output so far. */
  long logBytes() {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Lines the gateway wrote from byte {@code from} on. */
  long logLinesSince(long from) {
    try {
      byte[] all = Files.readAllBytes(log);
      long lines = 0;
      for (int i = (int) Math.min(from, all.length); i < all.length; i++) if (all[i] == '\n') lines++;
      return lines;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The first {@code max} characters the gateway wrote from byte {@code from} on. */
  String logSince(long from, int max) {
    try {
      byte[] all = Files.readAllBytes(log);
      int start = (int) Math.min(from, all.length);
      return new String(all, start, Math.min(max, all.length - start), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  String tail() {
    long size = logBytes();
    return logSince(Math.max(0, size - 4000), 4000);
  }

  /** Stops the gateway by its PID: SIGTERM, then SIGKILL after 1 s (what it does on the way out is not measured). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(1, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The repository's root: the nearest directory up from here that holds the launcher. */
  static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("gatehouse")) && Files.isDirectory(p.resolve("gateway"))) return p;
    }
    throw new AssertionError("no repository root (with the ./gatehouse launcher) above " + Path.of("").toAbsolutePath());
  }

  /**
   * The java the launcher would run: the newest JDK 17+ among {@code JAVA_HOME}, /usr/lib/jvm/*
   * and the one running the tests, by its {@code release} file.
   */
  public static Path java() throws IOException {
    List<Path> homes = new ArrayList<>();
    if (System.getenv("JAVA_HOME") != null) homes.add(Path.of(System.getenv("JAVA_HOME")));
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (var entries = Files.list(jvms)) {
        entries.sorted().forEach(homes::add);
      }
    }
    homes.add(Path.of(System.getProperty("java.home")));
    Path best = Path.of(System.getProperty("java.home"));
    int bestVersion = Runtime.version().feature();
    for (Path home : homes) {
      int v = feature(home);
      if (Files.isExecutable(home.resolve("bin/java")) && v > bestVersion) {
        best = home;
        bestVersion = v;
      }
    }
    return best.resolve("bin/java");
  }

  /** The feature version a JDK's {@code release} file names; 0 when there is none. */
  private static int feature(Path home) throws IOException {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) return 0;
    Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  public static Path jar() {
    Path jar = root().resolve("gateway/target/gatehouse.jar");
    if (!Files.isRegularFile(jar)) throw new AssertionError(jar + " is missing: run `mvn -pl gateway -am package -DskipTests` first");
    return jar;
  }

  /**
   * The JVM flags the launcher gives the gateway: its {@code default_opts} line (or
   * {@code GATEHOUSE_JAVA_OPTS}), plus what it adds on this JDK. Its start-up cache (CDS/AOT) is
   * left out: it changes start time, not what is measured here.
   */
  public static List<String> javaOptions() throws IOException {
    String launcher = Files.readString(root().resolve("gatehouse"));
    Matcher m = Pattern.compile("(?m)^default_opts=\"([^\"]*)\"").matcher(launcher);
    if (!m.find()) throw new AssertionError("no default_opts line in ./gatehouse");
    String env = System.getenv("GATEHOUSE_JAVA_OPTS");
    List<String> opts = new ArrayList<>(Arrays.asList((env != null && !env.isBlank() ? env : m.group(1)).trim().split("\\s+")));
    if (feature(java().getParent().getParent()) >= 23) opts.add("--sun-misc-unsafe-memory-access=allow");
    Path natives = root().resolve("gateway/target/native");
    if (Files.isRegularFile(natives.resolve("libamazonCorrettoCryptoProvider.so"))) {
      opts.add("-Dcom.amazon.corretto.crypto.provider.useExternalLib=true");
      opts.add("-Djava.library.path=" + natives + ":/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib");
    }
    return opts;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
