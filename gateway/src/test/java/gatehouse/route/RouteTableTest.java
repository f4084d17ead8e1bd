package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gatehouse.config.ConfigException;
import gatehouse.config.RouteConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {
  private static final String FILE = "gatehouse.yaml";

  @Test
  void theFirstMatchingRouteWins() throws ConfigException {
    RouteTable table =
        table(
            Routes.path("/a").id("exact"),
            Routes.prefix("/a/").methods("GET").id("get"),
            Routes.prefix("/").id("any"));
    assertEquals("exact", id(table, "GET", "/a"));
    assertEquals("get", id(table, "GET", "/a/b"));
    assertEquals("any", id(table, "POST", "/a/b"));
    assertEquals("any", id(table, "GET", "/b"));
  }

  @Test
  void noRouteIsEmpty() throws ConfigException {
    RouteTable table = table(Routes.path("/health"));
    assertEquals(Optional.empty(), table.match("GET", "h", target("/other")));
    assertEquals(Optional.empty(), RouteTable.compile(List.of(), FILE).match("GET", "h", target("/")));
  }

  @ParameterizedTest(name = "prefix {0}, path {1} -> {2}")
  @CsvSource({
    "/api, /api, true",
    "/api, /api/, true",
    "/api, /api/x/y, true",
    "/api, /apix, false",
    "/api, /ap, false",
    "/api, /, false",
    "/api/, /api, true",
    "/api/, /apix, false",
    "/api/admin/, /api/admin, true",
    "/api/admin/, /api/admin/, true",
    "/api/admin/, /api/admin/users, true",
    "/api/admin/, /api/adminx, false",
    "/api/admin/, /api/admin%20x, false",
    "/api/admin/, /api, false",
    "/, /, true",
    "/, /anything/at/all, true",
  })
  void prefixesMatchWholeSegmentsOnly(String prefix, String path, boolean matches) throws ConfigException {
    RouteTable table = table(Routes.prefix(prefix).id("r"));
    assertEquals(matches, table.match("GET", "h", target(path)).isPresent());
  }

  @Test
  void aPathMatchesExactlyItself() throws ConfigException {
    RouteTable table = table(Routes.path("/health").id("r"));
    assertEquals("r", id(table, "GET", "/health"));
    assertEquals(null, id(table, "GET", "/health/"));
    assertEquals(null, id(table, "GET", "/healthz"));
    assertEquals(null, id(table, "GET", "/Health"));
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource({
    "^/reports/[0-9]+$, /reports/12, true",
    "^/reports/[0-9]+$, /reports/12/x, false",
    "/reports/[0-9]+, /reports/12, true",
    "/reports/[0-9]+, /reports/12/x, false",
    "/reports/[0-9]+, /x/reports/12, false",
    "/reports/.*, /reports/a%2Fb, false",
  })
  void aRegexMustMatchTheWholeNormalisedPath(String regex, String raw, boolean matches)
      throws ConfigException {
    RouteTable table = table(Routes.regex(regex).id("r"));
    Target parsed = TargetParser.parse(raw, "h");
    boolean matched =
        parsed instanceof Target.Parsed p && table.match("GET", "h", p.target()).isPresent();
    assertEquals(matches, matched);
  }

  @Test
  void methodsRestrictARouteAndAreCaseSensitive() throws ConfigException {
    RouteTable table = table(Routes.prefix("/").methods("GET", "HEAD").id("read"));
    assertEquals("read", id(table, "GET", "/x"));
    assertEquals("read", id(table, "HEAD", "/x"));
    assertEquals(null, id(table, "POST", "/x"));
    assertEquals(null, id(table, "get", "/x"));
  }

  @ParameterizedTest(name = "host {0}, Host: {1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "api.example.com, api.example.com, true",
        "api.example.com, API.Example.COM, true",
        "api.example.com, api.example.com:8443, true",
        "api.example.com, api.example.com., true",
        "api.example.com, api.example.com.:80, true",
        "API.example.com, api.example.com, true",
        "api.example.com, other.example.com, false",
        "api.example.com, xapi.example.com, false",
        "api.example.com, api.example.com.evil, false",
        "api.example.com, null, false",
        "api.example.com, '', false",
        "*.example.com, a.example.com, true",
        "*.example.com, a.b.example.com, true",
        "*.example.com, A.EXAMPLE.COM:8443, true",
        "*.example.com, example.com, false",
        "*.example.com, .example.com, false",
        "*.example.com, aexample.com, false",
        "*.example.com, null, false",
        "'::1', '[::1]:8080', true",
        "'[::1]', '[::1]', true",
        "'[::1]', '[::1', false",
        "'[::1]', '::1', false",
        "127.0.0.1, 127.0.0.1:8080, true",
        "ok.example.com, ok.example.\u212Aom, false",
      })
  void hostMatchesWithoutPortAndIgnoringAsciiCase(String routeHost, String header, boolean matches)
      throws ConfigException {
    RouteTable table = table(Routes.prefix("/").host(routeHost).id("r"));
    assertEquals(matches, table.match("GET", header, target("/")).isPresent());
  }

  @Test
  void aRouteWithoutHostTakesAnyHostIncludingNone() throws ConfigException {
    RouteTable table = table(Routes.prefix("/").id("r"));
    assertEquals(Optional.of("r"), table.match("GET", null, target("/")).map(RouteConfig::id));
  }

  @Test
  void aShadowedRouteCompilesAndTheFirstMatchStillWins() throws ConfigException {
    // Refusing shadowed routes is the config loader's job (config.Shadowing); the table only orders.
    RouteTable table = table(Routes.prefix("/api/").id("wide"), Routes.prefix("/api/v1/").id("narrow"));
    assertEquals(Optional.of("wide"), table.match("GET", null, target("/api/v1/x")).map(RouteConfig::id));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      /api//x   | gatehouse.yaml:1: routes[0].match.prefix: '/api//x' is not a normalised path (empty_segment)
      /a/../b   | gatehouse.yaml:1: routes[0].match.prefix: '/a/../b' is not a normalised path (normalises to '/b')
      /%7euser  | gatehouse.yaml:1: routes[0].match.prefix: '/%7euser' is not a normalised path (normalises to '/~user')
      api/      | gatehouse.yaml:1: routes[0].match.prefix: 'api/' is not a normalised path (must start with /)
      /a?x      | gatehouse.yaml:1: routes[0].match.prefix: '/a?x' is not a normalised path (must not contain '?')
      """)
  void aPrefixThatNoParsedPathCouldEqualIsRefused(String prefix, String message) {
    assertEquals(message, refused(Routes.prefix(prefix)).getMessage());
  }

  @Test
  void aMatchNeedsExactlyOneOfPathPrefixRegex() {
    assertEquals(
        "gatehouse.yaml:1: routes[0].match: exactly one of path, prefix, regex is required",
        refused(Routes.path("/a").alsoPrefix("/b")).getMessage());
  }

  @Test
  void aHostWithAPortIsRefused() {
    assertEquals(
        "gatehouse.yaml:1: routes[0].match.host: 'example.com:8080' is not a host name, *.domain or"
            + " [IPv6] without a port",
        refused(Routes.prefix("/").host("example.com:8080")).getMessage());
  }

  @Test
  void aStripPrefixMustPrefixEveryPathTheRouteMatches() {
    assertEquals(
        "gatehouse.yaml:1: routes[0].strip_prefix: '/ap' is not a prefix of every path the route matches",
        refused(Routes.prefix("/api/").stripPrefix("/ap")).getMessage());
    assertEquals(
        "gatehouse.yaml:1: routes[0].add_prefix: 'v2' is not a normalised path (must start with /)",
        refused(Routes.prefix("/api/").addPrefix("v2")).getMessage());
  }

  @Test
  void matchingAllocatesNothingWithoutRegexRoutes() throws ConfigException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    assumeTrue(
        threads instanceof com.sun.management.ThreadMXBean, "needs HotSpot allocation counters");
    com.sun.management.ThreadMXBean counters = (com.sun.management.ThreadMXBean) threads;
    RouteTable table =
        table(
            Routes.path("/health").publicPolicy(),
            Routes.prefix("/api/admin/").methods("GET", "POST").host("*.example.com"),
            Routes.prefix("/api/").host("api.example.com"),
            Routes.prefix("/").id("last"));
    RequestTarget target = target("/api/admin/users/42");
    // Upper case runs the case check (issue 17): one passes it, one is refused as ambiguous_case.
    RequestTarget upper = target("/api/Orders/42");
    RequestTarget refused = target("/Health");
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      table.match("PUT", "API.example.com:8443", target);
      table.route("PUT", "API.example.com:8443", upper);
      table.route("PUT", "API.example.com:8443", refused);
    }
    // The least of five rounds: on a busy machine the JIT may still be compiling during the first,
    // and its transient allocations are not match's. An allocation per call shows in every round.
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 5 && allocated >= 1_000; round++) {
      long before = counters.getThreadAllocatedBytes(id);
      for (int i = 0; i < 100_000; i++) {
        table.match("PUT", "API.example.com:8443", target);
        table.route("PUT", "API.example.com:8443", upper);
        table.route("PUT", "API.example.com:8443", refused);
      }
      allocated = Math.min(allocated, counters.getThreadAllocatedBytes(id) - before);
    }
    // A few hundred bytes of slack for the measurement itself; one Optional per call would be 1.6 MB.
    assertTrue(allocated < 1_000, allocated + " bytes allocated");
    assertEquals("gatehouse.route.Routing$Ambiguous", table.route("PUT", "h", refused).getClass().getName());
  }

  private static RouteTable table(Routes... routes) throws ConfigException {
    return RouteTable.compile(Arrays.stream(routes).map(Routes::build).toList(), FILE);
  }

  private static ConfigException refused(Routes... routes) {
    return assertThrows(ConfigException.class, () -> table(routes));
  }

  private static String id(RouteTable table, String method, String path) {
    return table.match(method, "h", target(path)).map(RouteConfig::id).orElse(null);
  }

  private static RequestTarget target(String path) {
    return TargetParserTest.parsed(path);
  }
}
