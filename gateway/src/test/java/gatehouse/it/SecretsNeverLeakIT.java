package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ch.qos.logback.classic.Level;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.UpstreamRecorder.Recorded;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue 17, section 3, as an invariant over the real gateway: a secret sent in random positions
 * and spellings never reaches the recording upstream (target or headers) when every position is a
 * carrier the gateway owns, and never reaches a log line (every logger, at DEBUG and at INFO)
 * wherever it is, as long as it is a carrier or has the shape of a key or a JWT. Positions: the
 * API-key header (case, {@code _}), {@code Authorization} where the gateway consumes it, the
 * API-key and {@code access_token} query parameters (case, {@code _ - . +} or nothing between
 * words, {@code []}/{@code [0]} suffixes, percent-encoded names and values, {@code &} or
 * {@code ;}), a path parameter, a path segment and an ordinary query value; repeated and mixed, on
 * public, JWT, {@code any} and API-key routes and one whose upstream is down, beside a valid
 * credential or not.
 */
class SecretsNeverLeakIT {
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static GatewayHarness gw;
  private static TestDatabases.Db db;
  private static String key;
  private static String token;
  private static GatewayInvariants invariants;

  @BeforeContainer
  static void start() throws Exception {
    db = TestDatabases.sqlite();
    key = Issue17SecretsIT.createKey(db.store());
    gw = GatewayHarness.start(Issue17SecretsIT.keyStore(db.store()), "  - {id: keyed, match: {prefix: /keyed/}, upstream: app, policy: api_key}");
    token = gw.token("alice", Map.of("role", "user"));
    invariants = new GatewayInvariants(() -> gw.upstream);
  }

  @AfterContainer
  static void stop() throws Exception {
    gw.close();
    db.close();
  }

  enum RouteKind {
    PUBLIC("/api/public/p"), JWT("/api/orders"), ANY("/api/any/a"), KEYED("/keyed/k"),
    /** A public route whose upstream refuses connections: the proxy's own DEBUG line. */
    DOWN("/down/d");

    final String base;

    RouteKind(String base) {
      this.base = base;
    }
  }

  /** What the secret is: a random string is a credential only by where it is sent. */
  enum SecretKind { RANDOM, KEY_SHAPED, JWT_SHAPED, THE_VALID_KEY, A_VALID_TOKEN }

  /** Where one copy of the secret goes. The owned ones must never reach the upstream. */
  enum Where {
    API_KEY_HEADER(true), AUTHORIZATION(true), API_KEY_PARAM(true), ACCESS_TOKEN_PARAM(true), PATH_PARAMETER(true),
    PATH_SEGMENT(false), ORDINARY_PARAM(false);

    final boolean owned;

    Where(boolean owned) {
      this.owned = owned;
    }
  }

  record Case(RouteKind route, SecretKind kind, boolean withValidCredential, List<Where> places, List<String> fillers,
      Level level, long seed) {}

  @Provide
  Arbitrary<Case> cases() {
    return Combinators.combine(
            Arbitraries.of(RouteKind.class),
            Arbitraries.of(SecretKind.class),
            Arbitraries.of(true, false),
            Arbitraries.of(Where.class).list().ofMinSize(1).ofMaxSize(4),
            Arbitraries.of("page=2", "sort=-created", "q=a%20b", "lang=en", "x", "ids[]=1", "keyword=k").list().ofMaxSize(3),
            Arbitraries.of(Level.DEBUG, Level.INFO),
            Arbitraries.longs())
        .as(Case::new)
        .filter(c -> c.kind() != SecretKind.RANDOM || c.places().stream().allMatch(w -> w.owned))
        // The documented choice: an Authorization the gateway did not consume goes to the backend.
        .filter(c -> (c.route() != RouteKind.PUBLIC && c.route() != RouteKind.DOWN) || !c.places().contains(Where.AUTHORIZATION));
  }

  @Property(tries = 500)
  void aSecretReachesNeitherTheUpstreamNorAnyLogLine(@ForAll("cases") Case c) {
    Random random = new Random(c.seed());
    String secret = secret(c.kind(), random);
    boolean owned = c.places().stream().allMatch(w -> w.owned);

    List<String> headers = new ArrayList<>();
    List<String> query = new ArrayList<>();
    List<String> fillers = new ArrayList<>(c.fillers());
    StringBuilder path = new StringBuilder(c.route().base);
    List<String> spelled = new ArrayList<>(List.of(secret));
    for (Where where : c.places()) {
      switch (where) {
        case API_KEY_HEADER -> headers.add(headerName(random) + ": " + secret);
        case AUTHORIZATION -> headers.add("Authorization: Bearer " + secret);
        case API_KEY_PARAM, ACCESS_TOKEN_PARAM -> {
          String value = encodeSome(secret, random);
          spelled.add(value);
          query.add(paramName(where == Where.API_KEY_PARAM ? "api_key" : "access_token", random) + "=" + value);
        }
        case PATH_PARAMETER -> path.append(";").append(paramName("api_key", random)).append('=').append(secret);
        case PATH_SEGMENT -> path.append('/').append(secret);
        case ORDINARY_PARAM -> {
          String value = encodeSome(secret, random);
          spelled.add(value);
          query.add("note=" + value);
        }
        default -> throw new AssertionError(where);
      }
    }
    if (c.withValidCredential()) {
      if (c.route() == RouteKind.KEYED) headers.add("X-API-Key: " + key);
      if (c.route() == RouteKind.JWT || c.route() == RouteKind.ANY) headers.add("Authorization: Bearer " + token);
    }
    // Fillers keep their relative order; the secret's parameters go anywhere among them.
    List<String> params = new ArrayList<>(fillers);
    for (String p : query) params.add(random.nextInt(params.size() + 1), p);
    String target = path + "/x";
    if (!params.isEmpty()) {
      StringBuilder q = new StringBuilder();
      for (String p : params) q.append(q.length() == 0 ? "?" : random.nextInt(4) == 0 ? ";" : "&").append(p);
      target += q;
    }

    spelled.forEach(invariants::secret);
    invariants.begin(c.level(), true);
    int before = gw.upstream.requests().size();
    RawHttp.Response r;
    try {
      r = RawHttp.get(gw.port(), target, headers.toArray(String[]::new));
      String id = r.header("X-Request-Id").orElseThrow(() -> new AssertionError("no request id"));
      invariants.awaitLogLine(line -> line.startsWith("id=" + id + " "));
    } finally {
      invariants.end();
    }
    assertNotEquals(500, r.status(), target);
    if (!owned) return;
    List<Recorded> seen = gw.upstream.requests();
    for (Recorded rec : seen.subList(before, seen.size())) {
      for (String s : spelled) {
        if (rec.target().contains(s)) throw new AssertionError("the secret reached the upstream's target: " + target);
        for (var h : rec.headers()) {
          if (h.getValue().contains(s)) throw new AssertionError("the secret reached the upstream in " + h.getKey() + ": " + target);
        }
      }
      String forwardedQuery = rec.target().contains("?") ? rec.target().substring(rec.target().indexOf('?') + 1) : "";
      assertEquals(fillers, forwardedQuery.isEmpty() ? List.of() : List.of(forwardedQuery.split("[&;]")),
          "the other parameters keep their spelling and order: " + target);
    }
  }

  private static String secret(SecretKind kind, Random random) {
    return switch (kind) {
      case RANDOM -> "s3cret" + chars(random, 20);
      case KEY_SHAPED -> "gkey_" + chars(random, 49);
      case JWT_SHAPED -> "eyJhbGciOiJIUzI1NiJ9." + chars(random, 30) + "." + chars(random, 43);
      case THE_VALID_KEY -> key;
      case A_VALID_TOKEN -> token;
    };
  }

  private static String chars(Random random, int n) {
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) out.append(BASE62.charAt(random.nextInt(BASE62.length())));
    return out.toString();
  }

  /** The API-key header in a spelling the reserved-name rule folds: any case, {@code -} or {@code _}. */
  private static String headerName(Random random) {
    StringBuilder out = new StringBuilder();
    for (char ch : "X-API-Key".toCharArray()) {
      if (ch == '-') out.append(random.nextBoolean() ? '-' : '_');
      else out.append(random.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
    }
    return out.toString();
  }

  /**
   * {@code name} as some backend reads it: any case, words joined by {@code _ - . +} or nothing,
   * some letters percent-encoded, an optional {@code []}, {@code [0]} or {@code %5B%5D} suffix.
   */
  private static String paramName(String name, Random random) {
    String[] joins = {"_", "-", ".", "+", "", "%5F", "%5f"};
    StringBuilder out = new StringBuilder();
    for (char ch : name.toCharArray()) {
      if (ch == '_') {
        out.append(joins[random.nextInt(joins.length)]);
      } else if (random.nextInt(5) == 0) {
        out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) ch));
      } else {
        out.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
      }
    }
    String[] suffixes = {"", "", "[]", "[0]", "%5B%5D"};
    return out.append(suffixes[random.nextInt(suffixes.length)]).toString();
  }

  /** {@code value} with a few of its characters percent-encoded (none, sometimes). */
  private static String encodeSome(String value, Random random) {
    if (random.nextBoolean()) return value;
    StringBuilder out = new StringBuilder();
    for (char ch : value.toCharArray()) {
      if (random.nextInt(8) == 0) out.append('%').append(HexFormat.of().toHexDigits((byte) ch).toUpperCase(Locale.ROOT));
      else out.append(ch);
    }
    return out.toString();
  }
}
