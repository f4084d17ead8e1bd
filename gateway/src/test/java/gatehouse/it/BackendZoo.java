package gatehouse.it;

import gatehouse.testing.RealTime;
import gatehouse.testing.Repository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The backend zoo: small applications on real servers of several stacks (their sources are in
 * {@code gateway/src/test/zoo/}), each answering any request with JSON {@code {"read": {name:
 * value}, "seen": {...}}}: {@code read} holds each of the given header names as the application
 * reads it through its framework's own API ({@code environ['HTTP_X_USER_ID']},
 * {@code $_SERVER['HTTP_X_USER_ID']}, {@code req.get('X-User-Id')}, {@code r.Header.Get},
 * {@code request.getHeader}), null when absent; {@code seen} is every header the application was
 * given, under the keys it sees them by. Each process is started here and stopped by its PID.
 * Under {@code CI=true} a stack that cannot start fails; elsewhere it is left out with a message.
 */
final class BackendZoo implements AutoCloseable {
  /** One running backend: {@code stack} names the server and the API its application reads headers with. */
  record Backend(String stack, int port) {}

  private static final boolean CI = "true".equals(System.getenv("CI"));
  /** Tomcat logs every refused request head with a stack trace; the zoo sends hundreds on purpose. Held: JUL keeps loggers weakly. */
  private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

  private final List<Backend> backends = new ArrayList<>();
  private final List<String> missing = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path work;
  private Tomcat tomcat;

  private BackendZoo(Path work) {
    this.work = work;
  }

  /** Starts every stack, each reading {@code names}. */
  static BackendZoo start(List<String> names) {
    Path zoo = Repository.dir("gateway/src/test/zoo");
    BackendZoo z;
    try {
      z = new BackendZoo(Files.createTempDirectory("gatehouse-zoo"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    try {
      String joined = String.join(",", names);
      z.process("Python wsgiref: environ['HTTP_X_USER_ID']", zoo, joined, port -> List.of("python3", "wsgi_app.py", port));
      z.process("Node http: req.headers['x-user-id']", zoo, joined, port -> List.of("node", "node_http.js", port));
      if (z.nodeModules(zoo)) {
        z.process("Express 5: req.get('X-User-Id')", zoo, joined, port -> List.of("node", "express_app.js", port));
      }
      z.process("PHP built-in server: $_SERVER['HTTP_X_USER_ID']", zoo, joined,
          port -> List.of("php", "-S", "127.0.0.1:" + port, "php_app.php"));
      z.process("Rack on Puma: env['HTTP_X_USER_ID']", zoo, joined,
          port -> List.of("puma", "-q", "-t", "1:4", "-b", "tcp://127.0.0.1:" + port, "rack_app.ru"));
      Path goApp = z.work.resolve("go_app");
      if (z.run("Go net/http", zoo, List.of("go", "build", "-o", goApp.toString(), "go_app.go"))) {
        z.process("Go net/http: r.Header.Get(\"X-User-Id\")", zoo, joined, port -> List.of(goApp.toString(), port));
      }
      z.tomcat(names);
    } catch (RuntimeException | AssertionError e) {
      z.close();
      throw e;
    }
    if (!z.missing.isEmpty()) {
      System.err.println("BackendZoo: left out (not installed here; CI installs them in .ci/run): " + z.missing);
    }
    return z;
  }

  List<Backend> backends() {
    return Collections.unmodifiableList(backends);
  }

  /** Starts {@code command} (given a free port) in {@code dir} with {@code ZOO_NAMES}, and waits until it listens. */
  private void process(String stack, Path dir, String names, java.util.function.Function<String, List<String>> command) {
    int port = freePort();
    Path log = work.resolve("backend-" + backends.size() + "-" + processes.size() + ".log");
    ProcessBuilder pb = new ProcessBuilder(command.apply(Integer.toString(port))).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("ZOO_NAMES", names);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      absent(stack, e.getMessage());
      return;
    }
    processes.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ChildProcesses.listening(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(stack + " did not start listening on " + port + ": " + ChildProcesses.read(log));
      }
      RealTime.pause(Duration.ofMillis(50));
    }
    backends.add(new Backend(stack, port));
  }

  /** Runs {@code command} to completion in {@code dir}; false (after {@link #absent}) when its program is not installed. */
  private boolean run(String stack, Path dir, List<String> command) {
    Path log = work.resolve("build-" + processes.size() + ".log");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      absent(stack, e.getMessage());
      return false;
    }
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish: " + ChildProcesses.read(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new AssertionError(e);
    }
    if (p.exitValue() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + ChildProcesses.read(log));
    return true;
  }

  /** Express comes from the zoo's package-lock.json: installed by {@code npm ci} (in .ci/run, or here when missing). */
  private boolean nodeModules(Path zoo) {
    if (Files.isDirectory(zoo.resolve("node_modules/express"))) return true;
    return run("Express 5", zoo, List.of("npm", "ci", "--no-audit", "--no-fund"));
  }

  private void absent(String stack, String why) {
    if (CI) throw new AssertionError(stack + " is required on CI (.ci/run installs it): " + why);
    missing.add(stack);
  }

  /** Tomcat, in this JVM: a servlet reading {@code request.getHeader("X-User-Id")}. */
  private void tomcat(List<String> names) {
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
    Tomcat t = new Tomcat();
    t.setBaseDir(work.resolve("tomcat").toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    t.getService().addConnector(connector);
    t.setConnector(connector);
    Context context = t.addContext("", null);
    Tomcat.addServlet(context, "zoo", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonObject read = new JsonObject();
        for (String n : names) read.put(n, request.getHeader(n));
        JsonObject seen = new JsonObject();
        for (String n : Collections.list(request.getHeaderNames())) seen.put(n, new JsonArray(Collections.list(request.getHeaders(n))));
        byte[] body = new JsonObject().put("read", read).put("seen", seen).encode().getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
      }
    });
    context.addServletMappingDecoded("/*", "zoo");
    try {
      t.start();
    } catch (LifecycleException e) {
      throw new AssertionError("Tomcat did not start", e);
    }
    tomcat = t;
    backends.add(new Backend("Tomcat " + org.apache.catalina.util.ServerInfo.getServerNumber()
        + " servlet: request.getHeader(\"X-User-Id\")", connector.getLocalPort()));
  }

  @Override
  public void close() {
    for (Process p : processes) ChildProcesses.stop(p);
    if (tomcat != null) {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        throw new AssertionError(e);
      }
    }
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
