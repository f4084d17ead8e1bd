package gatehouse.it;

import gatehouse.testing.Repository;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Node {@code oidc-provider} (the version pinned in {@code
 * gateway/src/test/interop/oidc-provider/package-lock.json}), run from that directory's {@code
 * provider.js} as a child process on 127.0.0.1. Its clients, resources and token lifetimes are
 * described there. A restart keeps the port (so the issuer), the signing keys and the tokens
 * issued; {@link #restart} with other key ids is how keys are rotated, through the provider's own
 * {@code jwks} configuration. The process is stopped by its PID, never by name.
 *
 * <p>Under {@code CI=true} a missing {@code node} fails the test; elsewhere it skips it. A missing
 * {@code node_modules} is installed with {@code npm ci} from the lock file.
 */
final class OidcProvider implements AutoCloseable {
  static final String API_CLIENT = "api-client";
  static final String REPORTS_CLIENT = "reports-client";
  static final String GATEWAY_CLIENT = "gateway";
  static final String JWT_RESOURCE = "https://jwt.api.test/";
  static final String OPAQUE_RESOURCE = "https://opaque.api.test/";
  static final String SHORT_JWT_RESOURCE = "https://short-jwt.api.test/";
  static final String SHORT_OPAQUE_RESOURCE = "https://short-opaque.api.test/";

  private static final boolean CI = "true".equals(System.getenv("CI"));
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir = Repository.dir("gateway/src/test/interop/oidc-provider");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path state;
  private final int port;
  private Process process;
  private List<String> kids = List.of();
  private int starts;

  private OidcProvider(Path state, int port) {
    this.state = state;
    this.port = port;
  }

  /** Starts the provider publishing {@code kids} (the first signs), on a free loopback port. */
  static OidcProvider start(List<String> kids) {
    OidcProvider op;
    try {
      op = new OidcProvider(Files.createTempDirectory("gatehouse-oidc-provider"), GatewayHarness.closedPort());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    op.installed();
    op.launch(kids);
    return op;
  }

  static String secretOf(String clientId) {
    return clientId + "-secret-0123456789abcdef0123456789abcdef";
  }

  String issuer() {
    return "http://127.0.0.1:" + port;
  }

  /** The key ids published now, the signing one first. */
  List<String> kids() {
    return kids;
  }

  /** Stops the process (an outage starts when this returns). */
  void stop() {
    Process p = process;
    process = null;
    if (p != null) ChildProcesses.stop(p);
  }

  /** Stops the provider and starts it again publishing {@code kids}; returns once it listens. */
  void restart(List<String> kids) {
    stop();
    launch(kids);
  }

  /** A client_credentials access token for {@code resource} with {@code scope}, as the provider issues it. */
  String token(String clientId, String resource, String scope) {
    JsonObject answer = new JsonObject(post("/token", clientId,
        "grant_type=client_credentials&resource=" + encode(resource) + "&scope=" + encode(scope), 200));
    return answer.getString("access_token");
  }

  /** Revokes {@code token} at the revocation endpoint, as {@code clientId} (the client it was issued to). */
  void revoke(String clientId, String token) {
    post("/token/revocation", clientId, "token=" + encode(token) + "&token_type_hint=access_token", 200);
  }

  /** The provider's own answer to introspecting {@code token} as the gateway's client. */
  HttpResponse<String> introspect(String token) {
    return send("/token/introspection", GATEWAY_CLIENT, "token=" + encode(token) + "&token_type_hint=access_token");
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(state)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  private String post(String path, String clientId, String form, int expected) {
    HttpResponse<String> r = send(path, clientId, form);
    if (r.statusCode() != expected) throw new AssertionError("oidc-provider " + path + " answered " + r.statusCode() + ": " + r.body());
    return r.body();
  }

  private HttpResponse<String> send(String path, String clientId, String form) {
    String basic = Base64.getEncoder().encodeToString((clientId + ":" + secretOf(clientId)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("oidc-provider " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private void installed() {
    try {
      if (ChildProcesses.run(List.of("node", "--version"), dir, state.resolve("node-version.log"), Duration.ofSeconds(30)) != 0) {
        throw new IOException("node --version failed");
      }
      if (Files.isDirectory(dir.resolve("node_modules/oidc-provider"))) return;
      Path log = state.resolve("npm-ci.log");
      if (ChildProcesses.run(List.of("npm", "ci", "--no-audit", "--no-fund"), dir, log, Duration.ofMinutes(5)) != 0) {
        throw new AssertionError("npm ci failed in " + dir + ": " + ChildProcesses.read(log));
      }
    } catch (IOException e) {
      if (CI) throw new AssertionError("node and npm are required on CI for the oidc-provider suite: " + e.getMessage());
      Assumptions.abort("node or npm is not installed here (CI requires them): " + e.getMessage());
    }
  }

  private void launch(List<String> kids) {
    this.kids = List.copyOf(kids);
    Path log = state.resolve("provider-" + (++starts) + ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "provider.js").directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OP_PORT", Integer.toString(port));
    pb.environment().put("OP_STATE", state.toString());
    pb.environment().put("OP_KEYS", String.join(",", kids));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new AssertionError("cannot start node provider.js: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!ChildProcesses.read(log).contains("listening " + issuer()) || !ChildProcesses.listening(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        stop();
        throw new AssertionError("oidc-provider did not start on " + port + ": " + ChildProcesses.read(log));
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
