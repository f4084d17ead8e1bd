package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.abuse.GatewayChild;
import gatehouse.abuse.Probe;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 22 §1, the soak: the gateway jar in a child process (the launcher's JVM options plus a GC
 * log) under a steady mixed load for {@code -Dgatehouse.soak.minutes} (skipped without it, so CI
 * never runs it): JWTs of two subjects from one real oidc-provider (the IdP), opaque tokens of two
 * clients introspected at a second one (the authorization server), API keys of three owners in a
 * PostgreSQL store, and bad credentials of six kinds. The IdP, the authorization server and the
 * upstream are each stopped once and started again on the same port; the config is reloaded over
 * {@code POST /reload} every {@code -Dgatehouse.soak.reloadSeconds} (60), alternating two
 * versions. The upstream echoes the identity headers it received; every 2xx must carry exactly the
 * identity of the credential sent, no bad credential may be admitted, and heap after a forced GC
 * must stay flat. Writes {@code -Dgatehouse.soak.report} (markdown); {@code bench/soak.sh} runs it.
 */
class SoakIT {
  private static final String ADMIN_TOKEN = "soak-admin-token-0123456789abcdef";
  private static final String[] CLIENTS = {OidcProvider.API_CLIENT, OidcProvider.REPORTS_CLIENT};
  private static final String[] OWNERS = {"acme", "globex", "initech"};
  private static final Duration OP_TOKEN_TTL = Duration.ofSeconds(60);
  /** A token is not sent with less life than this left, so that a valid one never expires on the way. */
  private static final Duration MIN_LIFE = Duration.ofSeconds(8);
  /** An outage ends, at the latest, this long after its dependency is back; later errors are failures. */
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);

  /** What is taken down once. */
  enum Dependency { IDP, AS, UPSTREAM }

  /** A credential kind of the mix, whether it is valid, and the dependencies its answer rests on. */
  enum Kind {
    JWT(false, 30, Dependency.IDP, Dependency.UPSTREAM),
    OPAQUE(false, 20, Dependency.AS, Dependency.UPSTREAM),
    API_KEY(false, 25, Dependency.UPSTREAM),
    FORGED_JWT(true, 5, Dependency.IDP),
    EXPIRED_JWT(true, 4, Dependency.IDP),
    UNKNOWN_OPAQUE(true, 4, Dependency.AS),
    REVOKED_KEY(true, 4),
    UNKNOWN_KEY(true, 4),
    GARBAGE(true, 4, Dependency.AS);

    final boolean bad;
    final int weight;
    final Set<Dependency> dependencies;

    Kind(boolean bad, int weight, Dependency... dependencies) {
      this.bad = bad;
      this.weight = weight;
      this.dependencies = dependencies.length == 0 ? Set.of() : Set.of(dependencies);
    }
  }

  /**
   * One credential to send: its header, the identity the upstream must see (null for a bad one), and
   * for a bad one the refusal expected (401; 400 for an Authorization header that is not even syntax).
   */
  record Credential(Kind kind, String header, String value, String identity, int refusal) {
    Credential(Kind kind, String header, String value, String identity) {
      this(kind, header, value, identity, identity == null ? 401 : 0);
    }
  }

  record Token(String value, String client, Instant expires) {}

  record HeapSample(double minute, long heapBytes, long gcLogAfterKib, long threads, long rssKib, long fds) {}

  @Test
  void soak() throws Exception {
    String minutes = System.getProperty("gatehouse.soak.minutes");
    Assumptions.assumeTrue(minutes != null && !minutes.isBlank(), "the soak runs only with -Dgatehouse.soak.minutes (bench/soak.sh)");
    Duration duration = Duration.ofMillis((long) (Double.parseDouble(minutes) * 60_000));
    Duration reloadEvery = Duration.ofSeconds(Long.getLong("gatehouse.soak.reloadSeconds", 60));
    int rate = Integer.getInteger("gatehouse.soak.rate", 120);
    Path report = Path.of(System.getProperty("gatehouse.soak.report", "target/soak.md"));
    try (Soak soak = new Soak(duration, reloadEvery, rate)) {
      List<String> failures = soak.run();
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, soak.report(failures));
      System.out.println("SoakIT: report in " + report.toAbsolutePath());
      assertEquals(List.of(), failures, "soak invariants (report: " + report.toAbsolutePath() + ")");
    }
  }

  /** One run: its counterparts, its load, its schedule and what it saw. */
  static final class Soak implements AutoCloseable {
    private final Duration duration;
    private final Duration reloadEvery;
    private final int rate;
    private final int workers = 4;
    private final Duration outageLength;
    private final Vertx vertx = Vertx.vertx();
    private final Path dir;
    private final Instant started = Instant.now();
    private OidcProvider idp;
    private OidcProvider as;
    private TestDatabases.Db db;
    private EchoUpstream upstream;
    private Process gateway;
    private int port;
    private int adminPort;
    private Path config;
    private volatile boolean running = true;
    private long loadStart;

    private final Map<String, Token> jwts = new ConcurrentHashMap<>();
    private final Map<String, Token> opaques = new ConcurrentHashMap<>();
    private final List<Token> expiring = Collections.synchronizedList(new ArrayList<>());
    private final List<String[]> keys = new ArrayList<>();
    private String revokedKey;

    private final Map<Kind, Map<String, LongAdder>> counts = new EnumMap<>(Kind.class);
    private final Map<Kind, LongAdder> duringOutage = new EnumMap<>(Kind.class);
    private final Map<Kind, LongAdder> skipped = new EnumMap<>(Kind.class);
    private final LongAdder mismatches = new LongAdder();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final List<String> examples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong reloadsApplied = new AtomicLong();
    private final AtomicLong reloadsFailed = new AtomicLong();
    private final List<String> reloadErrors = Collections.synchronizedList(new ArrayList<>());
    private final Map<Dependency, Outage> outages = new EnumMap<>(Dependency.class);
    private final List<HeapSample> heap = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    /** One dependency's outage: when it went down, came back, and when its credentials were served again. */
    static final class Outage {
      volatile long downNanos;
      volatile long upNanos;
      volatile long recoveredNanos;
      volatile boolean affected;
      final LongAdder errors = new LongAdder();

      /**
       * Whether a 5xx to a request sent at {@code sentNanos} and answered now is the outage's: it is
       * still on, or the request left before service was back (or within {@link #GRACE} after: a
       * breaker's probe may succeed while requests beside it are still refused).
       */
      boolean covers(long sentNanos) {
        return affected || (recoveredNanos != 0 && sentNanos <= recoveredNanos + GRACE.toNanos());
      }
    }

    static final Duration GRACE = Duration.ofSeconds(2);

    Soak(Duration duration, Duration reloadEvery, int rate) throws IOException {
      this.duration = duration;
      this.reloadEvery = reloadEvery;
      this.rate = rate;
      this.outageLength = Duration.ofSeconds(Math.min(30, Math.max(10, duration.toSeconds() / 10)));
      this.dir = Files.createTempDirectory("gatehouse-soak");
      for (Kind k : Kind.values()) {
        counts.put(k, new ConcurrentHashMap<>());
        duringOutage.put(k, new LongAdder());
        skipped.put(k, new LongAdder());
      }
    }

    List<String> run() throws Exception {
      idp = OidcProvider.start(List.of("idp-key-1"));
      as = OidcProvider.start(List.of("as-key-1"));
      db = TestDatabases.postgres();
      upstream = EchoUpstream.start(vertx, 0);
      port = freePort();
      adminPort = freePort();
      config = dir.resolve("gatehouse.yaml");
      Files.writeString(config, config(false));
      startGateway();
      makeKeys();
      refreshTokens();
      // The first expired JWT: a 2 s token, past its exp (clock_skew is 0 s).
      Thread.sleep(3_000);

      Probe probe = new Probe(gateway.pid());
      heapSample(probe);
      List<Thread> threads = new ArrayList<>();
      loadStart = System.nanoTime();
      long end = loadStart + duration.toNanos();
      for (int i = 0; i < workers; i++) threads.add(start("soak-load-" + i, this::load));
      threads.add(start("soak-tokens", () -> every(Duration.ofSeconds(10), end, this::refreshTokens)));
      threads.add(start("soak-reload", () -> every(reloadEvery, end, this::reload)));
      Duration heapEvery = Duration.ofSeconds(Math.max(20, duration.toSeconds() / 24));
      threads.add(start("soak-heap", () -> every(heapEvery, end, () -> heapSample(probe))));
      threads.add(start("soak-outages", () -> outages(end)));
      while (System.nanoTime() < end && gateway.isAlive()) Thread.sleep(200);
      running = false;
      for (Thread t : threads) t.join(60_000);
      heapSample(probe);
      return verdict();
    }

    // ---- the counterparts

    private String config(boolean second) {
      String claims = "      claims: {sub: X-User-Id, client_id: X-Client-Id}";
      return String.join("\n",
          "listen: {host: 127.0.0.1, port: " + port + "}",
          "admin: {host: 127.0.0.1, port: " + adminPort + "}",
          "upstreams:",
          "  app: {url: \"" + upstream.url() + "\", timeout: 5s}",
          "auth:",
          "  jwt:",
          "    - name: idp",
          "      issuer: \"" + idp.issuer() + "\"",
          "      discovery: true",
          "      audiences: [\"" + OidcProvider.JWT_RESOURCE + "\", \"" + OidcProvider.SHORT_JWT_RESOURCE + "\"]",
          "      type: at+jwt",
          "      clock_skew: 0s",
          claims,
          "  introspection:",
          "    - name: as",
          "      endpoint: \"" + as.issuer() + "/token/introspection\"",
          "      client_id: " + OidcProvider.GATEWAY_CLIENT,
          "      client_secret: \"" + OidcProvider.secretOf(OidcProvider.GATEWAY_CLIENT) + "\"",
          "      audiences: [\"" + OidcProvider.OPAQUE_RESOURCE + "\"]",
          "      cache_ttl: 10s",
          claims,
          "  api_keys:",
          "    store: \"" + db.store() + "\"",
          "    admin_api: {token: \"${ADMIN_TOKEN}\"}",
          "access_log: {target: access.log}",
          "routes:",
          // The two versions differ by a route and by the API route's concurrency cap.
          second ? "  - {id: extra, match: {prefix: /extra/}, upstream: app, policy: public}" : "",
          "  - {id: api, match: {prefix: /api/}, upstream: app, policy: any, max_concurrent: " + (second ? 200 : 100) + "}",
          "");
    }

    private void startGateway() throws Exception {
      gateway = ChildProcesses.startGateway(config, dir.resolve("gateway.log"),
          List.of("-Xlog:gc:file=" + dir.resolve("gc.log") + ":uptime,level,tags"), Map.of("ADMIN_TOKEN", ADMIN_TOKEN));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!ChildProcesses.listening(adminPort) || RawHttp.get(adminPort, "/ready").status() != 200) {
        if (!gateway.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("the gateway was not ready within 60 s: " + ChildProcesses.read(dir.resolve("gateway.log")));
        }
        Thread.sleep(200);
      }
    }

    private RawHttp.Response admin(String method, String path, String body) {
      String head = method + " " + path + " HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + ADMIN_TOKEN
          + "\r\nContent-Length: " + body.length() + "\r\nConnection: close";
      return RawHttp.send(adminPort, head, body.getBytes(StandardCharsets.UTF_8));
    }

    private void makeKeys() {
      for (String owner : OWNERS) {
        RawHttp.Response r = admin("POST", "/keys", "{\"owner\": \"" + owner + "\"}");
        if (r.status() != 201) throw new AssertionError("POST /keys: " + r.status() + " " + r.text());
        JsonObject k = new JsonObject(r.text());
        keys.add(new String[] {k.getString("key"), owner, k.getString("id")});
      }
      RawHttp.Response r = admin("POST", "/keys", "{\"owner\": \"revoked-co\"}");
      JsonObject k = new JsonObject(r.text());
      revokedKey = k.getString("key");
      RawHttp.Response revoke = admin("POST", "/keys/" + k.getString("id") + "/revoke", "");
      if (revoke.status() != 200) throw new AssertionError("revoke: " + revoke.status() + " " + revoke.text());
    }

    /** New tokens from whichever provider is up; a provider that is down is skipped. */
    private void refreshTokens() {
      for (String client : CLIENTS) {
        try {
          String t = idp.token(client, OidcProvider.JWT_RESOURCE, "orders:read");
          jwts.put(client, new Token(t, client, Instant.ofEpochSecond(claims(t).getLong("exp"))));
        } catch (AssertionError down) {
          // the IdP is down: keep the tokens held
        }
        try {
          Instant before = Instant.now();
          opaques.put(client, new Token(as.token(client, OidcProvider.OPAQUE_RESOURCE, "orders:read"), client, before.plus(OP_TOKEN_TTL)));
        } catch (AssertionError down) {
          // the authorization server is down
        }
      }
      try {
        String t = idp.token(OidcProvider.API_CLIENT, OidcProvider.SHORT_JWT_RESOURCE, "orders:read");
        expiring.add(new Token(t, OidcProvider.API_CLIENT, Instant.ofEpochSecond(claims(t).getLong("exp"))));
        while (expiring.size() > 10) expiring.remove(0);
      } catch (AssertionError down) {
        // the IdP is down
      }
    }

    private static JsonObject claims(String jwt) {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    // ---- the load

    private Credential pick() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int total = 0;
      for (Kind k : Kind.values()) total += k.weight;
      int x = r.nextInt(total);
      Kind kind = Kind.JWT;
      for (Kind k : Kind.values()) {
        if (x < k.weight) {
          kind = k;
          break;
        }
        x -= k.weight;
      }
      Credential c = credential(kind, r);
      if (c != null) return c;
      skipped.get(kind).increment();
      String[] key = keys.get(r.nextInt(keys.size()));
      return new Credential(Kind.API_KEY, "X-API-Key", key[0], identity("", "", key[1], key[2]));
    }

    /** A credential of {@code kind}; null when none is at hand (a provider down too long). */
    private Credential credential(Kind kind, ThreadLocalRandom r) {
      Instant usable = Instant.now().plus(MIN_LIFE);
      String client = CLIENTS[r.nextInt(CLIENTS.length)];
      switch (kind) {
        case JWT -> {
          Token t = jwts.get(client);
          return t == null || t.expires.isBefore(usable) ? null
              : new Credential(kind, "Authorization", "Bearer " + t.value, identity(client, client, "", ""));
        }
        case OPAQUE -> {
          Token t = opaques.get(client);
          return t == null || t.expires.isBefore(usable) ? null
              : new Credential(kind, "Authorization", "Bearer " + t.value, identity("", client, "", ""));
        }
        case API_KEY -> {
          String[] key = keys.get(r.nextInt(keys.size()));
          return new Credential(kind, "X-API-Key", key[0], identity("", "", key[1], key[2]));
        }
        case FORGED_JWT -> {
          // A real token of the IdP whose claims name another subject: its signature no longer matches.
          Token t = jwts.get(client);
          if (t == null) return null;
          String[] parts = t.value.split("\\.");
          JsonObject claims = claims(t.value).put("sub", "mallory").put("client_id", "mallory");
          String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8))
              + "." + parts[2];
          return new Credential(kind, "Authorization", "Bearer " + forged, null);
        }
        case EXPIRED_JWT -> {
          Instant past = Instant.now().minusSeconds(3);
          synchronized (expiring) {
            for (Token t : expiring) {
              if (t.expires.isBefore(past)) return new Credential(kind, "Authorization", "Bearer " + t.value, null);
            }
          }
          return null;
        }
        case UNKNOWN_OPAQUE -> {
          return new Credential(kind, "Authorization", "Bearer NeverIssued" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()), null);
        }
        case REVOKED_KEY -> {
          return new Credential(kind, "X-API-Key", revokedKey, null);
        }
        case UNKNOWN_KEY -> {
          byte[] b = new byte[32];
          r.nextBytes(b);
          return new Credential(kind, "X-API-Key", "gkey_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b), null);
        }
        default -> {
          return switch (r.nextInt(3)) {
            case 0 -> new Credential(kind, "Authorization", "Bearer %%%garbage%%%", null, 400);
            case 1 -> new Credential(kind, "Authorization", "Bearer a.b.c", null);
            default -> new Credential(kind, "Authorization", "Bearer " + unsigned(), null);
          };
        }
      }
    }

    /** An unsigned JWT ({@code alg: none}) that claims to be the IdP's, for mallory. */
    private String unsigned() {
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      JsonObject claims = new JsonObject().put("iss", idp.issuer()).put("aud", OidcProvider.JWT_RESOURCE).put("sub", "mallory")
          .put("client_id", "mallory").put("exp", Instant.now().getEpochSecond() + 60);
      return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8)) + "."
          + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static String identity(String user, String client, String owner, String keyId) {
      return "user=" + user + ";client=" + client + ";owner=" + owner + ";key=" + keyId;
    }

    private void load() {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      long interval = TimeUnit.SECONDS.toNanos(1) * workers / rate;
      long next = System.nanoTime();
      while (running) {
        next += interval;
        Credential c = pick();
        long sent = System.nanoTime();
        String status;
        String body = "";
        try {
          HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/soak/" + c.kind.name().toLowerCase(Locale.ROOT)))
              .timeout(Duration.ofSeconds(10)).header(c.header, c.value)
              // Spoofed identity headers: the gateway must replace them, never pass them on.
              .header("X-User-Id", "spoof").header("X-Client-Id", "spoof").header("X-Owner-Id", "spoof").header("X-Key-Id", "spoof")
              .GET().build();
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          status = Integer.toString(response.statusCode());
          body = response.body();
        } catch (IOException e) {
          status = "error " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
          return;
        }
        judge(c, status, body, sent);
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            return;
          }
        } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
          next = System.nanoTime();
        }
      }
    }

    private void judge(Credential c, String status, String body, long sent) {
      counts.get(c.kind).computeIfAbsent(status, s -> new LongAdder()).increment();
      boolean ok2xx = status.length() == 3 && status.charAt(0) == '2';
      if (ok2xx && c.kind.bad) {
        admitted.increment();
        example("ADMITTED " + c.kind + " -> " + status + " " + body.strip());
        return;
      }
      if (!c.kind.bad && status.equals("200")) {
        if (!body.strip().equals(c.identity)) {
          mismatches.increment();
          example("MISMATCH " + c.kind + ": expected " + c.identity + ", upstream saw " + body.strip());
        }
        for (Dependency d : c.kind.dependencies) {
          Outage o = outages.get(d);
          if (o != null && o.upNanos != 0 && sent >= o.upNanos && o.recoveredNanos == 0 && recoversBy(d, c.kind)) {
            o.recoveredNanos = System.nanoTime();
            o.affected = false;
          }
        }
        return;
      }
      if (c.kind.bad && status.equals(Integer.toString(c.refusal))) return;
      boolean outage = status.equals("502") || status.equals("503") || status.equals("504");
      if (outage) {
        for (Dependency d : c.kind.dependencies) {
          Outage o = outages.get(d);
          if (o != null && o.covers(sent)) {
            duringOutage.get(c.kind).increment();
            o.errors.increment();
            return;
          }
        }
      }
      unexpected.increment();
      example("UNEXPECTED " + c.kind + " -> " + status + " at " + String.format(Locale.ROOT, "%.1f", (sent - loadStart) / 6e10) + " min " + body.strip());
    }

    /** The kind whose 200 after the dependency is back ends that dependency's outage. */
    private static boolean recoversBy(Dependency d, Kind k) {
      return switch (d) {
        case IDP -> k == Kind.JWT;
        case AS -> k == Kind.OPAQUE;
        case UPSTREAM -> true;
      };
    }

    private final Map<String, LongAdder> exampleCounts = new ConcurrentHashMap<>();

    /** Keeps the first ten cases of each sort (MISMATCH, ADMITTED, UNEXPECTED). */
    private void example(String line) {
      LongAdder n = exampleCounts.computeIfAbsent(line.substring(0, line.indexOf(' ')), k -> new LongAdder());
      n.increment();
      if (n.sum() <= 10) examples.add(line.length() > 300 ? line.substring(0, 300) : line);
    }

    // ---- the schedule

    private Thread start(String name, Runnable body) {
      Thread t = new Thread(() -> {
        try {
          body.run();
        } catch (Throwable e) {
          notes.add(name + " stopped: " + e);
          unexpected.increment();
        }
      }, name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private void every(Duration period, long end, Runnable action) {
      long next = System.nanoTime() + period.toNanos();
      while (running && next < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)));
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        action.run();
        next += period.toNanos();
      }
    }

    private synchronized void reload() {
      try {
        boolean second = reloadsApplied.get() % 2 == 0;
        Files.writeString(config, config(second));
        RawHttp.Response r = admin("POST", "/reload", "");
        if (r.status() == 200 && "success".equals(new JsonObject(r.text()).getString("result"))) {
          reloadsApplied.incrementAndGet();
        } else {
          reloadsFailed.incrementAndGet();
          reloadErrors.add(r.status() + " " + r.text());
        }
      } catch (IOException | RuntimeException e) {
        reloadsFailed.incrementAndGet();
        reloadErrors.add(e.toString());
      }
    }

    /** Each dependency down once, at 20 %, 45 % and 70 % of the run, for {@link #outageLength}. */
    private void outages(long end) {
      double[] at = {0.20, 0.45, 0.70};
      Dependency[] which = {Dependency.IDP, Dependency.AS, Dependency.UPSTREAM};
      for (int i = 0; i < which.length; i++) {
        long when = loadStart + (long) (duration.toNanos() * at[i]);
        while (running && System.nanoTime() < when) pause(200);
        if (!running) return;
        Dependency d = which[i];
        Outage o = new Outage();
        o.affected = true;
        o.downNanos = System.nanoTime();
        outages.put(d, o);
        switch (d) {
          case IDP -> idp.stop();
          case AS -> as.stop();
          case UPSTREAM -> upstream.stop();
        }
        // One more reload in the middle of each outage: a reload must not need a dependency that is away.
        pause(outageLength.toMillis() / 2);
        reload();
        pause(outageLength.toMillis() - outageLength.toMillis() / 2);
        switch (d) {
          case IDP -> idp.restart(List.of("idp-key-1"));
          case AS -> as.restart(List.of("as-key-1"));
          case UPSTREAM -> upstream = EchoUpstream.start(vertx, upstream.port());
        }
        o.upNanos = System.nanoTime();
        if (d != Dependency.UPSTREAM) refreshTokens();
        long limit = o.upNanos + RECOVERY_LIMIT.toNanos();
        while (o.recoveredNanos == 0 && System.nanoTime() < Math.min(limit, end)) pause(100);
        // Past the limit, errors of its credentials are failures.
        o.affected = false;
      }
    }

    private static void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    // ---- the gateway's memory

    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)$");
    private static final Pattern THREADS = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*})? ([0-9.eE+]+)$");
    private static final Pattern FULL_GC = Pattern.compile("Pause Full \\((?:Diagnostic Command|System.gc\\(\\))\\) \\d+M->(\\d+)M");

    /** {@code jcmd PID GC.run}, then the heap the JVM reports used, the GC log's figure, threads, RSS and descriptors. */
    private void heapSample(Probe probe) {
      try {
        Process jcmd = new ProcessBuilder(jcmd().toString(), Long.toString(gateway.pid()), "GC.run")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) jcmd.destroyForcibly();
        String metrics = RawHttp.get(adminPort, "/metrics").text();
        long used = 0;
        Matcher m = HEAP.matcher(metrics);
        while (m.find()) used += (long) Double.parseDouble(m.group(1));
        Matcher t = THREADS.matcher(metrics);
        long threads = t.find() ? (long) Double.parseDouble(t.group(1)) : -1;
        long gcLog = -1;
        Matcher g = FULL_GC.matcher(Files.readString(dir.resolve("gc.log")));
        while (g.find()) gcLog = Long.parseLong(g.group(1)) * 1024;
        Probe.Sample s = probe.sample();
        double minute = loadStart == 0 ? 0 : (System.nanoTime() - loadStart) / 6e10;
        heap.add(new HeapSample(minute, used, gcLog, threads, s.rssKib(), s.fds()));
      } catch (IOException e) {
        notes.add("heap sample failed: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static Path jcmd() throws IOException {
      Path jcmd = GatewayChild.java().resolveSibling("jcmd");
      return Files.isExecutable(jcmd) ? jcmd : Path.of("jcmd");
    }

    /** Mean of the first and last quarter of the samples after the first (taken before any load), and the least-squares slope. */
    private double[] heapTrend() {
      List<HeapSample> s = heap.subList(1, heap.size());
      int q = Math.max(1, s.size() / 4);
      double first = s.subList(0, q).stream().mapToLong(HeapSample::heapBytes).average().orElse(0);
      double last = s.subList(s.size() - q, s.size()).stream().mapToLong(HeapSample::heapBytes).average().orElse(0);
      double mx = s.stream().mapToDouble(HeapSample::minute).average().orElse(0);
      double my = s.stream().mapToLong(HeapSample::heapBytes).average().orElse(0);
      double num = 0;
      double den = 0;
      for (HeapSample h : s) {
        num += (h.minute - mx) * (h.heapBytes - my);
        den += (h.minute - mx) * (h.minute - mx);
      }
      double slopePerHour = den == 0 ? 0 : num / den * 60;
      return new double[] {first, last, slopePerHour};
    }

    /** Flat: the last quarter's mean within 10 % (at least 4 MiB) of the first quarter's. */
    private boolean heapFlat(double[] trend) {
      return trend[1] - trend[0] <= Math.max(4 * 1024 * 1024, 0.10 * trend[0]);
    }

    // ---- the verdict and the report

    private List<String> verdict() {
      List<String> failures = new ArrayList<>();
      if (!gateway.isAlive()) failures.add("the gateway exited: " + ChildProcesses.read(dir.resolve("gateway.log")));
      if (mismatches.sum() > 0) failures.add(mismatches.sum() + " identity mismatches");
      if (admitted.sum() > 0) failures.add(admitted.sum() + " bad credentials admitted");
      if (unexpected.sum() > 0) failures.add(unexpected.sum() + " unexpected answers");
      if (reloadsFailed.get() > 0) failures.add(reloadsFailed.get() + " reloads failed: " + reloadErrors);
      if (reloadsApplied.get() == 0) failures.add("no reload was applied");
      for (Dependency d : Dependency.values()) {
        Outage o = outages.get(d);
        if (o == null) failures.add(d + " was never taken down");
        else if (o.recoveredNanos == 0) failures.add(d + ": service did not recover within " + RECOVERY_LIMIT.toSeconds() + " s of its return");
      }
      if (heap.size() < 5) failures.add("only " + heap.size() + " heap samples");
      else if (!heapFlat(heapTrend())) failures.add("heap after GC grew: " + mib(heapTrend()[0]) + " -> " + mib(heapTrend()[1]) + " MiB");
      return failures;
    }

    private static String mib(double bytes) {
      return String.format(Locale.ROOT, "%.1f", bytes / 1024 / 1024);
    }

    private double seconds(long fromNanos, long toNanos) {
      return (toNanos - fromNanos) / 1e9;
    }

    String report(List<String> failures) {
      StringBuilder r = new StringBuilder();
      double minutes = duration.toMillis() / 60_000.0;
      r.append("# Soak: ").append(String.format(Locale.ROOT, "%.0f", minutes)).append(" minutes under mixed load (issue 22 §1)\n\n");
      r.append("Run ").append(started).append(" by `bench/soak.sh` (`SoakIT`). Verdict: **")
          .append(failures.isEmpty() ? "pass" : "FAIL").append("**.\n");
      if (minutes < 60) r.append("\nThis run lasted ").append(String.format(Locale.ROOT, "%.0f", minutes))
          .append(" minutes, not the hour the issue asks for.\n");
      r.append("\n## Parameters\n\n");
      r.append("- Duration ").append(duration.toSeconds()).append(" s; load ").append(rate).append(" req/s target over ").append(workers)
          .append(" client threads (java.net.http, HTTP/1.1 kept alive), GET `/api/soak/<kind>` on a route with policy `any`.\n");
      r.append("- Gateway: `gateway/target/gatehouse.jar` in a child process with the launcher's default JVM options and `-Xlog:gc:file=gc.log`.\n");
      r.append("- IdP: a real oidc-provider (JWT access tokens, JWKS by discovery, `clock_skew: 0s`). Authorization server: a second oidc-provider process on another port and issuer, introspection only (`cache_ttl: 10s`). API keys: PostgreSQL, own schema, keys of owners ")
          .append(String.join(", ", OWNERS)).append(" and one revoked. Upstream: an in-test Vert.x server echoing the identity headers it received.\n");
      r.append("- Reload: `POST /reload` every ").append(reloadEvery.toSeconds()).append(" s, alternating two configs (an added route, the API route's `max_concurrent` 100/200), and one more in the middle of each outage.\n");
      r.append("- Outages: IdP, authorization server and upstream each stopped at 20 %, 45 % and 70 % of the run for ").append(outageLength.toSeconds())
          .append(" s, then started again on the same port with the same state. Every client request also carries spoofed `X-User-Id`, `X-Client-Id`, `X-Owner-Id`, `X-Key-Id`.\n");
      r.append("\n## Load mix and answers\n\n| kind | valid | weight | answers | during an outage (5xx, expected) | not sent: no usable token |\n|---|---|---:|---|---:|---:|\n");
      long total = 0;
      for (Kind k : Kind.values()) {
        Map<String, Long> byStatus = new TreeMap<>();
        counts.get(k).forEach((s, n) -> byStatus.put(s, n.sum()));
        total += byStatus.values().stream().mapToLong(Long::longValue).sum();
        r.append("| ").append(k.name().toLowerCase(Locale.ROOT)).append(" | ").append(k.bad ? "no" : "yes").append(" | ").append(k.weight).append(" | ")
            .append(byStatus.isEmpty() ? "-" : byStatus.toString().replaceAll("[{}]", "")).append(" | ").append(duringOutage.get(k).sum())
            .append(" | ").append(skipped.get(k).sum()).append(" |\n");
      }
      r.append("\nRequests: ").append(total).append(" (").append(String.format(Locale.ROOT, "%.0f", total / (double) Math.max(1, duration.toSeconds())))
          .append(" req/s). A skipped kind was replaced by an API key request.\n");
      r.append("\n## Invariants\n\n");
      r.append("- Identity mismatches (a 2xx whose upstream saw another identity than the credential's): **").append(mismatches.sum()).append("**\n");
      r.append("- Bad credentials admitted (2xx): **").append(admitted.sum()).append("**\n");
      r.append("- Unexpected answers (anything but 200 for a valid credential and 401 for a bad one, 400 for a malformed `Authorization`; or a 5xx outside its dependency's outage): **").append(unexpected.sum()).append("**\n");
      r.append("- Reloads applied / failed: **").append(reloadsApplied.get()).append(" / ").append(reloadsFailed.get()).append("**\n");
      if (!examples.isEmpty()) {
        r.append("\nFirst cases:\n\n```\n");
        examples.forEach(e -> r.append(e).append('\n'));
        r.append("```\n");
      }
      r.append("\n## Outages\n\n| dependency | down at | back at | errors while out | service back after its return |\n|---|---:|---:|---:|---:|\n");
      for (Dependency d : Dependency.values()) {
        Outage o = outages.get(d);
        if (o == null) {
          r.append("| ").append(d).append(" | not run | | | |\n");
          continue;
        }
        r.append("| ").append(d).append(" | ").append(String.format(Locale.ROOT, "%.1f s", seconds(loadStart, o.downNanos)))
            .append(" | ").append(String.format(Locale.ROOT, "%.1f s", seconds(loadStart, o.upNanos)))
            .append(" | ").append(o.errors.sum()).append(" | ")
            .append(o.recoveredNanos == 0 ? "**not recovered**" : String.format(Locale.ROOT, "%.2f s", seconds(o.upNanos, o.recoveredNanos)))
            .append(" |\n");
      }
      r.append("\n\"Service back\" is the time from the dependency listening again to the first 200 of a request sent after that: a JWT for the IdP, an opaque token for the authorization server, any credential for the upstream. A 5xx counts as the outage's while the dependency is away or not yet back in service, and for a request that left before service was back or up to " + GRACE.toSeconds() + " s after; any other is a failure. The gateway verifies JWTs with the keys it holds, so the IdP being away is expected to cost nothing; for the authorization server, introspection answers cached for `cache_ttl` keep serving, then its breaker answers 503 until a probe succeeds.\n");
      r.append("\n## Heap after GC, threads, descriptors, RSS\n\n");
      r.append("Each sample: `jcmd <pid> GC.run` (a full GC with the serial collector), then `jvm_memory_used_bytes{area=\"heap\"}` summed from `/metrics`; the GC log's figure after that full GC; live threads; RSS and open descriptors from /proc. The first sample is before the load.\n\n");
      r.append("| minute | heap used after GC (MiB) | GC log after (MiB) | threads | RSS (MiB) | fds |\n|---:|---:|---:|---:|---:|---:|\n");
      synchronized (heap) {
        for (HeapSample h : heap) {
          r.append(String.format(Locale.ROOT, "| %.1f | %s | %s | %d | %.0f | %d |%n", h.minute, mib(h.heapBytes),
              h.gcLogAfterKib < 0 ? "-" : mib(h.gcLogAfterKib * 1024.0), h.threads, h.rssKib / 1024.0, h.fds));
        }
      }
      if (heap.size() >= 5) {
        double[] t = heapTrend();
        r.append("\nFirst quarter mean ").append(mib(t[0])).append(" MiB, last quarter mean ").append(mib(t[1])).append(" MiB, slope ")
            .append(String.format(Locale.ROOT, "%+.2f", t[2] / 1024 / 1024)).append(" MiB/hour (least squares over the samples under load). Verdict: **")
            .append(heapFlat(t) ? "flat" : "GROWING").append("** (flat: last quarter within 10 %, at least 4 MiB, of the first).\n");
        HeapSample a = heap.get(0);
        HeapSample b = heap.get(heap.size() - 1);
        r.append("\nStart → end: threads ").append(a.threads).append(" → ").append(b.threads).append(", fds ").append(a.fds).append(" → ").append(b.fds)
            .append(", RSS ").append(a.rssKib / 1024).append(" → ").append(b.rssKib / 1024).append(" MiB.\n");
      }
      r.append("\n## The gateway's WARN and ERROR lines\n\n");
      Map<String, Long> logged = new TreeMap<>();
      ChildProcesses.read(dir.resolve("gateway.log")).lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
          // Without the timestamp, and cut before what varies (a token's fingerprint, a port).
          .map(l -> l.substring(Math.min(l.length(), l.indexOf(' ') + 1)).replaceAll("[0-9a-f]{12}|\\d+", "N"))
          .map(l -> l.length() > 160 ? l.substring(0, 160) : l)
          .forEach(l -> logged.merge(l, 1L, Long::sum));
      if (logged.isEmpty()) r.append("None.\n");
      else {
        r.append("Digits and 12-hex-digit fingerprints replaced by N, lines cut at 160 characters.\n\n| count | line |\n|---:|---|\n");
        logged.forEach((l, n) -> r.append("| ").append(n).append(" | `").append(l.replace("|", "\\|").replace("`", "'")).append("` |\n"));
      }
      if (!notes.isEmpty()) {
        r.append("\n## Notes\n\n");
        notes.forEach(n -> r.append("- ").append(n).append('\n'));
      }
      r.append("\n## Result\n\n");
      if (failures.isEmpty()) r.append("All invariants held.\n");
      else failures.forEach(f -> r.append("- FAILED: ").append(f.length() > 2000 ? f.substring(0, 2000) : f).append('\n'));
      return r.toString();
    }

    @Override
    public void close() throws Exception {
      running = false;
      try {
        if (gateway != null) ChildProcesses.stop(gateway);
      } finally {
        if (idp != null) idp.close();
        if (as != null) as.close();
        if (upstream != null) upstream.stop();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (db != null) db.close();
        if (!Boolean.getBoolean("gatehouse.soak.keep")) {
          try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
    }
  }

  /** An upstream on 127.0.0.1 that answers each request with the identity headers it received; stopped and started on the same port. */
  static final class EchoUpstream {
    private final HttpServer server;
    private final int port;

    private EchoUpstream(HttpServer server) {
      this.server = server;
      this.port = server.actualPort();
    }

    static EchoUpstream start(Vertx vertx, int port) {
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
          .requestHandler(request -> request.response().putHeader("content-type", "text/plain")
              .end(identity(request, "X-User-Id", "X-Client-Id", "X-Owner-Id", "X-Key-Id")));
      try {
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the upstream did not start on " + port, e);
      }
      return new EchoUpstream(server);
    }

    private static String identity(HttpServerRequest request, String user, String client, String owner, String key) {
      return "user=" + String.join(",", request.headers().getAll(user)) + ";client=" + String.join(",", request.headers().getAll(client))
          + ";owner=" + String.join(",", request.headers().getAll(owner)) + ";key=" + String.join(",", request.headers().getAll(key));
    }

    String url() {
      return "http://127.0.0.1:" + port();
    }

    int port() {
      return port;
    }

    void stop() {
      server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
