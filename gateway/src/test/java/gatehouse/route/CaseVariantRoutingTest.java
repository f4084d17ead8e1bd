package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.ConfigException;
import gatehouse.config.Policy;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 17 section 6: a path that takes one route as sent and another route (or none) when case
 * is ignored is refused as {@code ambiguous_case}, unless the two routes are handled alike. Each
 * row names a table below, a method, a Host and a raw target, and what the router answers: a
 * route id, {@code ambiguous_case} (400) or {@code 404}.
 */
class CaseVariantRoutingTest {
  private static final Policy ADMIN = new Policy.Jwt(Set.of(), Set.of("admin"), Set.of());

  static final Map<String, RouteTable> TABLES = Map.of(
      // The config: the admin API, a public health check, everything else under /api/ for any user.
      "issue", table(
          Routes.prefix("/api/admin/").id("admin").policy(ADMIN),
          Routes.path("/health").id("health").publicPolicy(),
          Routes.prefix("/api/").id("api")),
      // The admin route declared case-insensitive, for a backend known to ignore case.
      "insensitive", table(
          Routes.prefix("/api/admin/").id("admin").policy(ADMIN).ignoringCase(),
          Routes.path("/status").id("status").publicPolicy().ignoringCase(),
          Routes.prefix("/api/").id("api")),
      // A pattern with upper-case letters: a lower-case path is the variant.
      "upper", table(
          Routes.path("/Login").id("login").publicPolicy(),
          Routes.prefix("/").id("rest")),
      // Handled alike (same upstream, policy, rewrites, limits): case may pick either.
      "alike", table(
          Routes.prefix("/docs/").id("docs").publicPolicy(),
          Routes.prefix("/").id("site").publicPolicy()),
      // Same policy, another upstream: not alike.
      "upstreams", table(
          Routes.prefix("/docs/").id("docs").publicPolicy().upstream("reports"),
          Routes.prefix("/").id("site").publicPolicy()),
      "regex", table(
          Routes.regex("^/reports/[0-9]+$").id("report").policy(ADMIN),
          Routes.regex("^/\\x41/[0-9]+$").id("escaped").policy(ADMIN),
          Routes.prefix("/").id("rest").publicPolicy()),
      "host", table(
          Routes.prefix("/admin/").host("admin.example.com").id("admin").policy(ADMIN),
          Routes.prefix("/").id("rest").publicPolicy()),
      "methods", table(
          Routes.prefix("/api/admin/").methods("POST").id("admin").policy(ADMIN),
          Routes.prefix("/api/").id("api")));

  @ParameterizedTest(name = "{0}: {1} {3} (Host {2}) -> {4}")
  @CsvSource(delimiter = '|', textBlock = """
      issue       | GET  | h                 | /api/admin/users          | admin
      issue       | GET  | h                 | /api/admin/Users/X        | admin
      issue       | GET  | h                 | /api/Admin/users          | ambiguous_case
      issue       | GET  | h                 | /api/%41dmin/users        | ambiguous_case
      issue       | GET  | h                 | /API/ADMIN                | ambiguous_case
      issue       | GET  | h                 | /api/aDmIn                | ambiguous_case
      issue       | GET  | h                 | /api/aDmIn/x/y            | ambiguous_case
      issue       | GET  | h                 | /api/ADMIN/               | ambiguous_case
      issue       | GET  | h                 | /api/adm%49n/users        | ambiguous_case
      issue       | GET  | h                 | /api/%61%44min            | ambiguous_case
      issue       | GET  | h                 | /%41pi/admin/x            | ambiguous_case
      issue       | GET  | h                 | /api/x/../Admin           | ambiguous_case
      issue       | GET  | h                 | /api/Admin?q=1            | ambiguous_case
      issue       | GET  | h                 | /api/Adminx               | api
      issue       | GET  | h                 | /api/Admin-x/y            | api
      issue       | GET  | h                 | /api/orders/ABC           | api
      issue       | GET  | h                 | /api/caf%C3%A9/X          | api
      issue       | GET  | h                 | /API/orders               | ambiguous_case
      issue       | GET  | h                 | /Health                   | ambiguous_case
      issue       | GET  | h                 | /health                   | health
      issue       | GET  | h                 | /HEALTH/x                 | 404
      issue       | GET  | h                 | /Other                    | 404
      insensitive | GET  | h                 | /api/Admin/users          | admin
      insensitive | GET  | h                 | /API/ADMIN                | admin
      insensitive | GET  | h                 | /api/%41dmin              | admin
      insensitive | GET  | h                 | /STATUS                   | status
      insensitive | GET  | h                 | /Status/x                 | 404
      insensitive | GET  | h                 | /api/Orders               | api
      insensitive | GET  | h                 | /Api/orders               | ambiguous_case
      upper       | GET  | h                 | /Login                    | login
      upper       | GET  | h                 | /login                    | ambiguous_case
      upper       | GET  | h                 | /LOGIN                    | ambiguous_case
      upper       | GET  | h                 | /login/x                  | rest
      alike       | GET  | h                 | /DOCS/x                   | site
      alike       | GET  | h                 | /docs/x                   | docs
      upstreams   | GET  | h                 | /DOCS/x                   | ambiguous_case
      upstreams   | GET  | h                 | /Docs                     | ambiguous_case
      upstreams   | GET  | h                 | /docs/X                   | docs
      regex       | GET  | h                 | /reports/7                | report
      regex       | GET  | h                 | /Reports/7                | ambiguous_case
      regex       | GET  | h                 | /reports/x                | rest
      regex       | GET  | h                 | /A/7                      | escaped
      regex       | GET  | h                 | /a/7                      | ambiguous_case
      host        | GET  | admin.example.com | /admin/x                  | admin
      host        | GET  | ADMIN.Example.com | /admin/x                  | admin
      host        | GET  | admin.example.com | /Admin/x                  | ambiguous_case
      host        | GET  | ADMIN.EXAMPLE.COM | /ADMIN                    | ambiguous_case
      host        | GET  | www.example.com   | /Admin/x                  | rest
      methods     | POST | h                 | /api/Admin/x              | ambiguous_case
      methods     | GET  | h                 | /api/Admin/x              | api
      methods     | post | h                 | /api/admin/x              | ambiguous_case
      methods     | Post | h                 | /api/admin/x              | ambiguous_case
      methods     | post | h                 | /api/orders               | api
      methods     | get  | h                 | /api/admin/x              | api
      issue       | get  | h                 | /api/admin/x              | admin
      """)
  void aCaseVariantReachesTheSameRouteOrIsRefused(String table, String method, String host, String raw,
      String expected) {
    assertEquals(expected, outcome(TABLES.get(table), method, host, raw));
  }

  @Test
  void matchNeverReturnsARouteForARefusedPath() throws ConfigException {
    RequestTarget target = TargetParserTest.parsed("/api/Admin/users");
    assertEquals(java.util.Optional.empty(), TABLES.get("issue").match("GET", "h", target));
  }

  /** The router's answer: a route id, a refusal code, or "404". */
  static String outcome(RouteTable table, String method, String host, String raw) {
    Target parsed = TargetParser.parse(raw, host);
    if (parsed instanceof Target.Ambiguous a) return a.code();
    Routing routing = table.route(method, host, ((Target.Parsed) parsed).target());
    if (routing instanceof Routing.Found f) return f.route().id();
    if (routing instanceof Routing.Ambiguous a) return a.code();
    if (routing instanceof Routing.NotFound) return "404";
    throw new AssertionError(routing);
  }

  static RouteTable table(Routes... routes) {
    try {
      return RouteTable.compile(Arrays.stream(routes).map(Routes::build).toList(), "gatehouse.yaml");
    } catch (ConfigException e) {
      throw new AssertionError(e);
    }
  }
}
