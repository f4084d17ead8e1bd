package gatehouse.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak in dev mode on 127.0.0.1 and a free port, from the unpacked
 * {@code keycloak-quarkus-dist} named by the system property {@code gatehouse.keycloak.home} (the
 * {@code keycloak} Maven profile unpacks it). It imports {@code src/test/interop/keycloak/gatehouse-realm.json}
 * and keeps its H2 database in a temporary directory, so a {@link #stop()} and {@link #start()}
 * find the same realm and keys. Every process it starts is stopped by PID; {@link #close()} also
 * deletes the temporary directory. Blocking: for the test thread only.
 */
public final class LocalKeycloak implements AutoCloseable {
  public static final String REALM = "gatehouse";
  public static final String SERVICE_CLIENT = "gatehouse-service";
  public static final String SERVICE_SECRET = "interop-service-secret-not-for-production";
  public static final String PUBLIC_CLIENT = "gatehouse-cli";
  public static final String USER = "alice";
  public static final String USER_PASSWORD = "interop-alice-password";
  /** The client whose roles the realm's users hold; Keycloak puts it in {@code aud}. */
  public static final String RESOURCE_CLIENT = "orders-api";
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "interop-admin-password";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  private final Path home;
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private Duration lastStart;

  private LocalKeycloak(Path home, Path dir, int port) {
    this.home = home;
    this.dir = dir;
    this.port = port;
  }

  /** The distribution's home; fails (never skips) when the property is missing or wrong. */
  public static Path home() {
    String value = System.getProperty("gatehouse.keycloak.home", "");
    if (value.isEmpty()) throw new AssertionError("gatehouse.keycloak.home is not set: run with -Pkeycloak (see the README)");
    Path home = Path.of(value);
    if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) throw new AssertionError("no bin/kc.sh under " + home);
    return home;
  }

  /** Starts Keycloak and waits until the realm's discovery document answers. */
  public static LocalKeycloak start(Path realmFile) {
    Path home = home();
    try {
      Path dir = Files.createTempDirectory("gatehouse-keycloak");
      // --import-realm reads only <home>/data/import; the database and logs stay in dir.
      Path imports = Files.createDirectories(home.resolve("data/import"));
      Files.copy(realmFile, imports.resolve(REALM + "-realm.json"), StandardCopyOption.REPLACE_EXISTING);
      LocalKeycloak kc = new LocalKeycloak(home, dir, freePort());
      try {
        kc.start();
      } catch (RuntimeException | Error e) {
        kc.close();
        throw e;
      }
      return kc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server again (after {@link #stop()}) on the same port with the same database. */
  public void start() {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + port, "--import-realm", "--db=dev-file",
        "--db-url=jdbc:h2:file:" + dir.resolve("db/keycloakdb") + ";NON_KEYWORDS=VALUE",
        "--health-enabled=false", "--metrics-enabled=false")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("keycloak.log").toFile()));
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    long begin = System.nanoTime();
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = begin + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new AssertionError("Keycloak exited with " + process.exitValue() + "; log:\n" + logTail());
      try {
        if (send(HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration")).GET()).statusCode() == 200) {
          lastStart = Duration.ofNanos(System.nanoTime() - begin);
          return;
        }
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      RealTime.pause(Duration.ofMillis(250));
    }
    throw new AssertionError("Keycloak did not answer within " + START_TIMEOUT + "; log:\n" + logTail());
  }

  /** How long the last {@link #start()} took until the realm answered. */
  public Duration lastStart() {
    return lastStart;
  }

  /**
   * Stops the server: SIGTERM to the Java process and to {@code kc.sh}, by PID, waiting for both
   * to exit (then SIGKILL). Returns when nothing of it runs any more.
   */
  public void stop() {
    if (process == null) return;
    List<ProcessHandle> all = new ArrayList<>(process.descendants().collect(Collectors.toList()));
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("Keycloak process " + p.pid() + " did not exit", e);
      }
    }
  }

  public int port() {
    return port;
  }

  public String issuer() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  public String version() {
    try {
      return Files.readString(home.resolve("version.txt")).trim();
    } catch (IOException e) {
      return home.getFileName().toString();
    }
  }

  /** An access token for the confidential client (client_credentials). */
  public String serviceToken() {
    return token(Map.of("grant_type", "client_credentials", "client_id", SERVICE_CLIENT, "client_secret", SERVICE_SECRET));
  }

  /** An access token for the realm's user through the public client (password grant). */
  public String userToken() {
    return token(Map.of("grant_type", "password", "client_id", PUBLIC_CLIENT, "username", USER, "password", USER_PASSWORD));
  }

  /** The {@code kid} in a JWT's header. */
  public static String kid(String jwt) {
    String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
    return new JsonObject(header).getString("kid");
  }

  /** The kids of the realm's JWK set, as Keycloak serves it now. */
  public List<String> publishedKids() {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/certs")).GET());
    return new JsonObject(r.body()).getJsonArray("keys").stream()
        .map(k -> ((JsonObject) k).getString("kid")).collect(Collectors.toList());
  }

  /**
   * Adds an {@code rsa-generated} RS256 key provider with {@code priority} through the admin REST
   * API; Keycloak signs with the active key of highest priority. Returns the component's id.
   */
  public String addRsaKeyProvider(String name, int priority) {
    JsonObject component = new JsonObject()
        .put("name", name).put("providerId", "rsa-generated").put("providerType", "org.keycloak.keys.KeyProvider")
        .put("parentId", realmId())
        .put("config", new JsonObject()
            .put("priority", new JsonArray().add(Integer.toString(priority)))
            .put("enabled", new JsonArray().add("true")).put("active", new JsonArray().add("true"))
            .put("algorithm", new JsonArray().add("RS256")).put("keySize", new JsonArray().add("2048")));
    HttpResponse<String> r = admin("POST", "/components", component.encode());
    if (r.statusCode() != 201) throw new AssertionError("adding a key provider: " + r.statusCode() + " " + r.body());
    String location = r.headers().firstValue("Location").orElseThrow();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /** The ids of the realm's RS256 signing key providers other than {@code except}. */
  public List<String> rsaKeyProvidersExcept(String except) {
    JsonArray components = new JsonArray(admin("GET", "/components?type=org.keycloak.keys.KeyProvider", null).body());
    return components.stream().map(c -> (JsonObject) c)
        .filter(c -> "rsa-generated".equals(c.getString("providerId")))
        .map(c -> c.getString("id")).filter(id -> !id.equals(except)).collect(Collectors.toList());
  }

  /** Disables a key provider: its key leaves the JWK set and signs nothing more. */
  public void disableKeyProvider(String id) {
    JsonObject component = new JsonObject(admin("GET", "/components/" + id, null).body());
    component.getJsonObject("config").put("enabled", new JsonArray().add("false")).put("active", new JsonArray().add("false"));
    HttpResponse<String> r = admin("PUT", "/components/" + id, component.encode());
    if (r.statusCode() != 204) throw new AssertionError("disabling key provider " + id + ": " + r.statusCode() + " " + r.body());
  }

  private String realmId() {
    return new JsonObject(admin("GET", "", null).body()).getString("id");
  }

  private HttpResponse<String> admin(String method, String path, String json) {
    String bearer = new JsonObject(form("http://127.0.0.1:" + port + "/realms/master/protocol/openid-connect/token",
        Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN, "password", ADMIN_PASSWORD)))
        .getString("access_token");
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/realms/" + REALM + path))
        .header("Authorization", "Bearer " + bearer);
    if (json == null) b.method(method, HttpRequest.BodyPublishers.noBody());
    else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    return send(b);
  }

  private String token(Map<String, String> params) {
    return new JsonObject(form(issuer() + "/protocol/openid-connect/token", params)).getString("access_token");
  }

  private String form(String url, Map<String, String> params) {
    String body = params.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)));
    if (r.statusCode() != 200) throw new AssertionError("token endpoint " + url + " answered " + r.statusCode() + ": " + r.body());
    return r.body();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("keycloak.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the server by PID and deletes the temporary directory (database and log). */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp dir left behind is harmless
      }
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
