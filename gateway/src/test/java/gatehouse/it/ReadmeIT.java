package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.ReadmeBlocks;
import gatehouse.testing.Repository;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code sh}, {@code java} and {@code js} blocks of README.md and docs/*.md as written
 * (docs/development.md, *Code blocks in the documentation*); {@code ReadmeTest} checks the rule
 * itself and the {@code yaml} and {@code json} blocks. Each failure names the block's file and line.
 * <ul>
 *   <li>{@code sh}: run with {@code bash -euo pipefail} from the repository root; it must exit 0
 *       within {@link #SH_LIMIT_SECONDS}.</li>
 *   <li>{@code java}: a whole source file, imports included, compiled against the test class path.
 *       A class this test knows by name is then run: {@code GatehouseCheck} against requests the
 *       gateway really signed, and against one of them with a changed identity header.</li>
 *   <li>{@code js}: saved beside a copy of {@code verifier/node/gatehouse-verify.mjs} and run with
 *       {@code node} as the upstream of a real gateway that signs with the README's key id
 *       ({@code PORT}, {@code GATEHOUSE_SIGNING_SECRET} and {@code GATEHOUSE_ADMIN_URL} set). It
 *       must answer a request the gateway forwarded with 200 and the identity as JSON, and one
 *       sent to it directly with 401. Without {@code node} the test is skipped, except under
 *       {@code CI=true}, where it fails.</li>
 * </ul>
 */
class ReadmeIT {
  static final ReadmeBlocks.Parsed README = ReadmeBlocks.readme();
  static final String KEY_ID = "hmac-2026-05";
  static final String SECRET = "readme-signing-secret-of-at-least-32-bytes";
  static final long SH_LIMIT_SECONDS = 240;

  @TempDir static Path dir;
  static Vertx vertx;
  static UpstreamRecorder upstream;
  static Gatehouse gateway;
  static HttpClient client;
  static int nodePort;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> upstream);

  @BeforeAll
  static void start() throws Exception {
    vertx = TestVertx.create();
    upstream = UpstreamRecorder.start(vertx);
    nodePort = freePort();
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    Files.writeString(dir.resolve("gatehouse.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: " + KEY_ID + ", secret: \"" + SECRET + "\"}]}",
        "upstreams:",
        "  recorder: {url: \"" + upstream.url() + "\"}",
        "  node: {url: \"http://127.0.0.1:" + nodePort + "\"}",
        "auth:",
        "  jwt: [{name: main, issuer: \"" + TestTokens.ISSUER + "\", audiences: [" + TestTokens.AUDIENCE + "], jwks_file: jwks.json}]",
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {match: {prefix: /node/public/}, upstream: node, policy: public}",
        "  - {match: {prefix: /node/}, upstream: node, policy: jwt}",
        "  - {match: {prefix: /}, upstream: recorder, policy: jwt}",
        ""));
    gateway = await(Gatehouse.start(ConfigLoader.load(dir.resolve("gatehouse.yaml")), Clock.systemUTC(), vertx, false));
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    if (client != null) await(client.close());
    if (gateway != null) await(gateway.close());
    if (upstream != null) upstream.close();
    if (vertx != null) await(vertx.close());
  }

  @TestFactory
  Stream<DynamicTest> shBlocksExitZeroFromTheRepositoryRoot() {
    return README.runnable("sh").stream().map(b -> DynamicTest.dynamicTest(b.where() + " sh", () -> runShell(b)));
  }

  @TestFactory
  Stream<DynamicTest> javaBlocksCompileAndTheOnesThatVerifyAcceptOnlyWhatTheGatewaySigned() {
    return README.runnable("java").stream().map(b -> DynamicTest.dynamicTest(b.where() + " java", () -> runJava(b)));
  }

  @TestFactory
  Stream<DynamicTest> jsBlocksServeAsTheUpstreamOfARealGateway() {
    return README.runnable("js").stream().map(b -> DynamicTest.dynamicTest(b.where() + " js", () -> runNode(b)));
  }

  static void runShell(ReadmeBlocks.Block b) throws Exception {
    Path root = Repository.dir("examples").getParent();
    ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", b.body()).directory(root.toFile()).redirectErrorStream(true);
    // The launcher's start-up cache is made by a training run of its own; a test's start skips it.
    pb.environment().put("GATEHOUSE_NO_CDS", "1");
    Process p = pb.start();
    try {
      String out = readAll(b, p.getInputStream(), p, SH_LIMIT_SECONDS);
      assertEquals(0, p.exitValue(), b.where() + ": the sh block exited " + p.exitValue() + " (run from the repository root with"
          + " bash -euo pipefail; a block that cannot run in a test says ```sh not-run: <reason>); its output:\n" + tail(out));
    } finally {
      stopTree(p);
    }
  }

  /** Stops {@code p} and every process it started (the launcher's java, say), by their PIDs. */
  static void stopTree(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    children.forEach(ProcessHandle::destroy);
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    for (ProcessHandle c : children) {
      try {
        c.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        c.destroyForcibly();
      }
    }
  }

  static void runJava(ReadmeBlocks.Block b) throws Exception {
    Matcher m = Pattern.compile("(?m)^public\\s+(?:final\\s+)?class\\s+(\\w+)").matcher(b.body());
    if (!m.find()) fail(b.where() + ": a java block is a whole source file with one public class; none found");
    String name = m.group(1);
    Path src = Files.createDirectories(dir.resolve("java-" + b.line()));
    Files.writeString(src.resolve(name + ".java"), b.body());
    Path out = Files.createDirectories(src.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("--release", "17", "-proc:none", "-d", out.toString(), "-classpath", testClassPath());
      boolean ok = javac.getTask(log, files, diagnostics, options, null, files.getJavaFileObjects(src.resolve(name + ".java"))).call();
      if (!ok) {
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() == Diagnostic.Kind.ERROR) {
            errors.add(b.file() + ":" + (b.line() + d.getLineNumber()) + ": " + d.getMessage(Locale.ROOT));
          }
        }
        fail(b.where() + ": the java block does not compile:\n" + String.join("\n", errors) + log);
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, ReadmeIT.class.getClassLoader())) {
      Class<?> type = loader.loadClass(name);
      if (name.equals("GatehouseCheck")) checkGatehouseCheck(b, type);
    }
  }

  /** {@code new GatehouseCheck(secret).check(method, rawTarget, headers)} on signed requests, as received. */
  static void checkGatehouseCheck(ReadmeBlocks.Block b, Class<?> type) throws Exception {
    Object check = type.getConstructor(byte[].class).newInstance((Object) SECRET.getBytes(StandardCharsets.UTF_8));
    var method = type.getMethod("check", String.class, String.class, Map.class);
    String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice").claim("role", "admin").sign());
    assertEquals(200, status(gateway.port(), "/orders/7?x=1", Map.of("Authorization", "Bearer " + token)));
    UpstreamRecorder.Recorded r = upstream.lastRequest();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : r.headers()) headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
    Object verified = method.invoke(check, r.method(), r.target(), headers);
    assertTrue(String.valueOf(verified).startsWith("200 ") && String.valueOf(verified).contains("alice"),
        b.where() + ": GatehouseCheck answers a request the gateway signed with 200 and the identity, got: " + verified);
    headers.keySet().removeIf(k -> k.equalsIgnoreCase("X-User-Id"));
    headers.put("X-User-Id", List.of("mallory"));
    assertEquals("401 BAD_SIGNATURE", String.valueOf(method.invoke(check, r.method(), r.target(), headers)),
        b.where() + ": GatehouseCheck refuses a changed identity header");
    assertEquals("401 MISSING", String.valueOf(method.invoke(check, "GET", "/orders/7", Map.of("X-User-Id", List.of("alice")))),
        b.where() + ": GatehouseCheck refuses a request the gateway never saw");
  }

  static void runNode(ReadmeBlocks.Block b) throws Exception {
    Path work = Files.createDirectories(dir.resolve("node-" + b.line()));
    Files.copy(Repository.dir("verifier/node").resolve("gatehouse-verify.mjs"), work.resolve("gatehouse-verify.mjs"));
    Files.writeString(work.resolve("backend.mjs"), b.body());
    ProcessBuilder pb = new ProcessBuilder("node", "backend.mjs").directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve("output.txt").toFile());
    pb.environment().put("PORT", String.valueOf(nodePort));
    pb.environment().put("GATEHOUSE_SIGNING_SECRET", SECRET);
    pb.environment().put("GATEHOUSE_ADMIN_URL", "http://127.0.0.1:" + gateway.adminPort());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(b.where() + ": node is required on CI", e);
      Assumptions.abort("node is not installed: " + e.getMessage());
      return;
    }
    try {
      awaitListening(b, p, work.resolve("output.txt"));
      String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice").sign());
      Answer viaGateway = get(gateway.port(), "/node/orders/7", Map.of("Authorization", "Bearer " + token));
      assertEquals(200, viaGateway.status(), b.where() + ": a request the gateway signed; the recipe answered " + viaGateway);
      assertEquals("alice", new JsonObject(viaGateway.body()).getString("x-user-id"), b.where() + ": the identity, as JSON");
      Answer open = get(gateway.port(), "/node/public/x", Map.of());
      assertEquals(200, open.status(), b.where() + ": a signed request of a public route; the recipe answered " + open);
      Answer direct = get(nodePort, "/node/orders/7", Map.of("X-User-Id", "alice"));
      assertEquals(401, direct.status(), b.where() + ": a request that bypassed the gateway; the recipe answered " + direct);
      assertEquals("MISSING", direct.body().trim(), b.where() + ": the reason");
    } finally {
      stopTree(p);
    }
  }

  static void awaitListening(ReadmeBlocks.Block b, Process p, Path output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) fail(b.where() + ": node exited " + p.exitValue() + " before listening; its output:\n" + tail(Files.readString(output)));
      try (Socket s = new Socket("127.0.0.1", nodePort)) {
        return;
      } catch (IOException notYet) {
        p.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
    fail(b.where() + ": node did not listen on PORT " + nodePort + " within 20 s; its output:\n" + tail(Files.readString(output)));
  }

  record Answer(int status, String body) {}

  static Answer get(int port, String path, Map<String, String> headers) {
    RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(o::addHeader);
    return await(client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(body -> new Answer(resp.statusCode(), body.toString())))));
  }

  static int status(int port, String path, Map<String, String> headers) {
    return get(port, path, headers).status();
  }

  /** The test class path, with the entries of a manifest-only jar (failsafe's) spelled out for javac. */
  static String testClassPath() throws IOException {
    Set<String> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(e);
      if (!e.endsWith(".jar")) continue;
      try (JarFile jar = new JarFile(e)) {
        Manifest mf = jar.getManifest();
        String more = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
        if (more == null) continue;
        for (String u : more.trim().split("\\s+")) {
          try {
            entries.add(Path.of(new URL(new File(e).toURI().toURL(), u).toURI()).toString());
          } catch (java.net.URISyntaxException ex) {
            throw new IOException(ex);
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  static String readAll(ReadmeBlocks.Block b, InputStream in, Process p, long seconds) throws Exception {
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (out) {
            out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          }
        }
      } catch (IOException ignored) {
        // the process was stopped; what was read is kept
      }
    });
    reader.start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) {
      stopTree(p);
      reader.join(5000);
      synchronized (out) {
        fail(b.where() + ": the sh block did not finish within " + seconds + " s; its output:\n" + tail(out.toString()));
      }
    }
    reader.join(5000);
    synchronized (out) {
      return out.toString();
    }
  }

  static String tail(String s) {
    return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
