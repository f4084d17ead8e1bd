package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17, section 2: no application behind the gateway ever reads a client's value for a header
 * the gateway owns, whichever spelling the client chose and however its stack folds header names.
 * The applications are real servers of several stacks ({@link BackendZoo}); they report what their
 * framework's own API returns.
 */
class BackendZooIT {
  /** Every name the gateway owns in this config, as an application would ask for it. */
  static final List<String> NAMES = List.of("X-User-Id", "X-User-Role", "X-User-Email", "X-User-Extra", "X-Tenant-Id", "X-Owner-Id",
      "X-Scopes", "X-Key-Id", "Signature", "Signature-Input", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded",
      "X-Request-Id");
  /** What the verified token carries; the gateway maps tenant to X-Tenant-Id (a claim header outside X-User-*). */
  static final Map<String, String> IDENTITY =
      Map.of("X-User-Id", "zoo-user", "X-User-Role", "reader", "X-User-Email", "zoo@example.com", "X-Tenant-Id", "t-1");
  /** Set by the gateway, values it computes (signatures): checked only for not being the client's. */
  static final Set<String> COMPUTED = Set.of("Signature", "Signature-Input");

  static final String SPOOF = GatewayInvariants.SPOOF;
  /** RFC 9110 section 5.6.2: the token characters that are not letters or digits. */
  static final String PUNCTUATION = "!#$%&'*+-.^_`|~";

  static BackendZoo zoo;
  static GatewayHarness gateway;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gateway.upstream);

  @BeforeAll
  static void start() {
    zoo = BackendZoo.start(NAMES);
    StringBuilder upstreams = new StringBuilder();
    StringBuilder routes = new StringBuilder();
    for (int i = 0; i < zoo.backends().size(); i++) {
      upstreams.append("  zoo").append(i).append(": {url: \"http://127.0.0.1:").append(zoo.backends().get(i).port())
          .append("\", sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: zoo, secret: \"")
          .append("a-zoo-secret-of-at-least-thirty-two-bytes").append("\"}]}}\n");
      routes.append("  - {match: {prefix: /zoo").append(i).append("/public/}, upstream: zoo").append(i).append(", policy: public}\n");
      routes.append("  - {match: {prefix: /zoo").append(i).append("/jwt/}, upstream: zoo").append(i).append(", policy: jwt}\n");
    }
    gateway = GatewayHarness.start(upstreams.toString(),
        "identity: {claims: {sub: X-User-Id, role: X-User-Role, email: X-User-Email, tenant: X-Tenant-Id}}", routes.toString(), true);
  }

  @AfterAll
  static void stop() {
    try {
      if (gateway != null) gateway.close();
    } finally {
      if (zoo != null) zoo.close();
    }
  }

  /**
   * The spoofing table: one request per way of spelling a name, every owned name spelled that way
   * at once, each with its own marked value.
   */
  static Map<String, UnaryOperator<String>> spellings() {
    Map<String, UnaryOperator<String>> s = new LinkedHashMap<>();
    s.put("as the gateway writes it", n -> n);
    s.put("lower case", n -> n.toLowerCase(Locale.ROOT));
    s.put("upper case", n -> n.toUpperCase(Locale.ROOT));
    s.put("alternating case", BackendZooIT::alternatingCase);
    for (char p : PUNCTUATION.toCharArray()) {
      if (p != '-') s.put("- as " + p, n -> n.replace('-', p));
    }
    s.put("first - as _", n -> n.replaceFirst("-", "_"));
    s.put("- doubled", n -> n.replace("-", "--"));
    s.put("- as _-_", n -> n.replace("-", "_-_"));
    s.put("- dropped", n -> n.replace("-", ""));
    s.put("leading _", n -> "_" + n);
    s.put("trailing _", n -> n + "_");
    s.put("trailing .", n -> n + ".");
    s.put("leading ~", n -> "~" + n);
    return s;
  }

  @Test
  void noApplicationReadsAClientValueForAHeaderTheGatewayOwns() {
    List<String> failures = new ArrayList<>();
    String token = gateway.token("zoo-user", Map.of("role", "reader", "email", "zoo@example.com", "tenant", "t-1"));
    int row = 0;
    for (Map.Entry<String, UnaryOperator<String>> spelling : spellings().entrySet()) {
      row++;
      List<String> lines = new ArrayList<>();
      for (String name : NAMES) lines.add(spelling.getValue().apply(name) + ": " + SPOOF + row + "-" + name);
      for (int i = 0; i < zoo.backends().size(); i++) {
        BackendZoo.Backend backend = zoo.backends().get(i);
        for (boolean jwt : new boolean[] {false, true}) {
          List<String> headers = new ArrayList<>(lines);
          if (jwt) headers.add("Authorization: Bearer " + token);
          String where = backend.stack() + ", " + (jwt ? "jwt" : "public") + " route, " + spelling.getKey();
          RawHttp.Response r = RawHttp.get(gateway.port(), "/zoo" + i + (jwt ? "/jwt/" : "/public/") + "x", headers.toArray(String[]::new));
          if (r.status() != 200) {
            failures.add(where + ": status " + r.status() + " " + r.text());
            continue;
          }
          JsonObject answer = new JsonObject(r.text());
          JsonObject read = answer.getJsonObject("read");
          for (String name : NAMES) {
            Object got = read.getValue(name);
            Optional<String> expected = expected(name, jwt, r);
            boolean ok = COMPUTED.contains(name)
                ? got == null || !got.toString().toUpperCase(Locale.ROOT).contains(SPOOF)
                : expected.map(e -> e.equals(got)).orElse(got == null);
            if (!ok) failures.add(where + ": the application read " + name + " = " + got + ", expected " + expected.orElse("nothing"));
          }
          if (answer.getValue("seen").toString().toUpperCase(Locale.ROOT).contains(SPOOF)) {
            failures.add(where + ": a client's spelling reached the application: " + answer.getValue("seen"));
          }
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  /**
   * Each stack is asked directly (no gateway) which spellings of X-User-Id its application reads
   * as X-User-Id: every byte as the separator, appended and prepended, and case changes. Every
   * spelling some stack folds is then sent through the gateway, which must refuse it (400) or keep
   * it from the application. This finds spellings nobody listed: it would have found PHP's
   * {@code X.User.Id} and {@code X User Id}.
   */
  @Test
  void everySpellingAStackReadsAsAReservedNameIsStrippedOrRefusedByTheGateway() {
    Assumptions.assumeFalse(zoo.backends().isEmpty(), "no backend of the zoo is installed here");
    Map<String, Set<String>> folded = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < zoo.backends().size(); i++) {
      BackendZoo.Backend backend = zoo.backends().get(i);
      Set<String> found = new LinkedHashSet<>();
      for (String spelling : candidates("X-User-Id")) {
        Optional<JsonObject> direct = ask(backend.port(), "/", spelling + ": " + SPOOF);
        if (direct.isPresent() && String.valueOf(direct.get().getJsonObject("read").getValue("X-User-Id")).contains(SPOOF)) {
          found.add(spelling);
        }
      }
      folded.put(backend.stack(), found);
      for (String spelling : found) {
        RawHttp.Response r = RawHttp.get(gateway.port(), "/zoo" + i + "/public/x", spelling + ": " + SPOOF);
        if (r.status() == 400 && r.text().contains("\"malformed_request\"")) continue;
        if (r.status() != 200 || new JsonObject(r.text()).getJsonObject("read").getValue("X-User-Id") != null) {
          failures.add(backend.stack() + " reads " + printable(spelling) + " as X-User-Id, and through the gateway: " + r.status()
              + " " + r.text());
        }
      }
    }
    folded.forEach((stack, spellings) -> System.out.println("BackendZooIT: " + stack + " reads as X-User-Id: "
        + spellings.stream().map(BackendZooIT::printable).toList()));
    assertTrue(folded.values().stream().anyMatch(s -> s.contains("x-user-id")), "no stack read even the lower-case name: " + folded);
    assertEquals(List.of(), failures);
  }

  /** HTTP/2 names arrive lower-cased (RFC 9113 section 8.2.1) and go through the same stripping. */
  @Test
  void overHttp2TooNoApplicationReadsAClientSpelling() {
    HttpClient h2 = gateway.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    List<String> failures = new ArrayList<>();
    try {
      for (int i = 0; i < zoo.backends().size(); i++) {
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/zoo" + i + "/public/h2");
        for (String spelling : List.of("x-user-id", "x_user_id", "x.user.id", "x~user~id", "x-forwarded_for")) {
          options.addHeader(spelling, SPOOF + "-" + spelling);
        }
        JsonObject answer = await(h2.request(options).compose(req -> req.send().compose(r -> {
          assertEquals(HttpVersion.HTTP_2, r.version());
          return r.body();
        }))).toJsonObject();
        if (answer.encode().toUpperCase(Locale.ROOT).contains(SPOOF)) failures.add(zoo.backends().get(i).stack() + ": " + answer);
      }
    } finally {
      await(h2.close());
    }
    assertEquals(List.of(), failures);
  }

  /** RFC 9110 section 5.1 and RFC 9112 section 5.1: a field name is a token, with no whitespace before the colon. */
  @Test
  void aHeaderNameThatIsNotATokenIsRefusedWith400() {
    for (String name : List.of("X User Id", "X-User-Id ", "X-User-Id\t", "X[User-Id", "X(User)Id", "X-User-Id\u0000", "X-\u00fcser-Id",
        "X/User/Id", "X,User,Id", "X\"User\"Id", "X-User-Id\u007f")) {
      RawHttp.Response r = RawHttp.get(gateway.port(), "/zoo0/public/x", name + ": " + SPOOF);
      assertEquals(400, r.status(), printable(name));
      assertTrue(r.text().contains("\"malformed_request\""), r.text());
    }
  }

  /** What the application must read for {@code name}: the gateway's value, or nothing. */
  private static Optional<String> expected(String name, boolean jwt, RawHttp.Response r) {
    int port = gateway.port();
    return switch (name) {
      case "X-Forwarded-For" -> Optional.of("127.0.0.1");
      case "X-Forwarded-Proto" -> Optional.of("http");
      case "X-Forwarded-Host" -> Optional.of("127.0.0.1:" + port);
      case "Forwarded" -> Optional.of("for=127.0.0.1;proto=http;host=\"127.0.0.1:" + port + "\"");
      case "X-Request-Id" -> r.header("X-Request-Id");
      default -> jwt ? Optional.ofNullable(IDENTITY.get(name)) : Optional.empty();
    };
  }

  /** Spellings of {@code name} to try on a backend: each byte as separator, appended, prepended; case changes. */
  static List<String> candidates(String name) {
    Set<String> c = new LinkedHashSet<>();
    c.add(name);
    c.add(name.toLowerCase(Locale.ROOT));
    c.add(name.toUpperCase(Locale.ROOT));
    c.add(alternatingCase(name));
    c.add(name.replace("-", ""));
    c.add(name.replace("-", "--"));
    for (int b = 1; b < 256; b++) {
      char ch = (char) b;
      if (ch == '\r' || ch == '\n' || ch == ':' || Character.isLetterOrDigit(ch) && ch < 128) continue;
      c.add(name.replace('-', ch));
      c.add(name + ch);
      // A line that starts with whitespace continues the previous field's value (obs-fold): not a name.
      if (ch != ' ' && ch != '\t') c.add(ch + name);
    }
    return List.copyOf(c);
  }

  /** Asks a backend directly; empty when it refuses the request or closes without an answer. */
  private static Optional<JsonObject> ask(int port, String target, String headerLine) {
    try (RawHttp http = new RawHttp(port)) {
      http.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n" + headerLine + "\r\n\r\n");
      RawHttp.Response r = http.read(true);
      return r.status() == 200 ? Optional.of(new JsonObject(r.text())) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String alternatingCase(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(i % 2 == 0 ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return b.toString();
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c >= 0x7f) b.append(String.format("\\x%02x", (int) c));
      else b.append(c);
    }
    return b.toString();
  }
}
