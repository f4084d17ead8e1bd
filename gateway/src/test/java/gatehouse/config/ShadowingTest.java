package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.withRoutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A later route is refused only when an earlier one provably takes all of its requests, or takes
 * them ignoring case while handling them differently (issue 17: such requests are refused as
 * {@code ambiguous_case}). Routes that differ only in case but are handled alike may overlap.
 */
class ShadowingTest {

  @ParameterizedTest(name = "{0} before {1}")
  @CsvSource(delimiter = '|', value = {
      "{path: /a}|{path: /a}",
      "{prefix: /}|{path: /health}",
      "{prefix: /api}|{prefix: /api/v1/}",
      "{prefix: /api/}|{prefix: /api/}",
      "{prefix: /api}|{path: /api}",
      "{regex: '^/r/[0-9]+$'}|{path: /r/7}",
      "{prefix: /a}|{prefix: /a/b, methods: [GET]}",
      "{prefix: /a, methods: [GET, POST]}|{prefix: /a/b, methods: [post]}",
      "{prefix: /a}|{prefix: /a/b, host: x.example.com}",
      "{prefix: /a, host: '*.example.com'}|{prefix: /a/b, host: x.example.com}",
      "{prefix: /a, host: '*.example.com'}|{prefix: /a/b, host: '*.x.example.com'}",
      "{prefix: /a, host: example.com}|{prefix: /a/b, host: EXAMPLE.com}",
      "{prefix: /api/, case_sensitive: false}|{prefix: /API/v1/}",
      "{prefix: /api/, case_sensitive: false}|{path: /Api/x}",
      "{path: /health, case_sensitive: false}|{path: /HEALTH, case_sensitive: false}",
      "{regex: '^/r/[a-z]+$', case_sensitive: false}|{path: /r/ABC}"})
  void shadowedRouteIsRefused(String earlier, String later) {
    assertEquals(NEVER_MATCHES, refusal(earlier, later, ""));
  }

  @ParameterizedTest(name = "{0} before {1}")
  @CsvSource(delimiter = '|', value = {
      "{path: /a}|{prefix: /a}",
      "{prefix: /api/}|{path: /api}",
      "{prefix: /api}|{prefix: /apiv2}",
      "{prefix: /api/admin/}|{prefix: /api/}",
      "{prefix: /}|{regex: '^/x'}",
      "{regex: '^/r/[0-9]+$'}|{path: /r/x}",
      "{regex: '^/r/'}|{prefix: /r/}",
      "{prefix: /a, methods: [GET]}|{prefix: /a/b}",
      "{prefix: /a, methods: [GET]}|{prefix: /a/b, methods: [GET, POST]}",
      "{prefix: /a, host: x.example.com}|{prefix: /a/b}",
      "{prefix: /a, host: '*.example.com'}|{prefix: /a/b, host: example.com}",
      "{prefix: /a, host: a.example.com}|{prefix: /a/b, host: '*.example.com'}",
      "{prefix: /API/}|{prefix: /api/v1/}",
      "{prefix: /api/}|{prefix: /API/ADMIN/, case_sensitive: false}"})
  void overlappingButReachableRouteIsAllowed(String earlier, String later) throws ConfigException {
    assertEquals(2, loaded(earlier, "", later));
  }

  /**
   * Issue 17: {@code /api/} before {@code /API/ADMIN/} would send {@code /api/admin/x} to the
   * catch-all; with the order kept, the admin route could only take paths that are refused as
   * {@code ambiguous_case}. Refused at load, so the mistake cannot go unnoticed.
   */
  @ParameterizedTest(name = "{0} before {1}")
  @CsvSource(delimiter = '|', value = {
      "{prefix: /api/}|{prefix: /API/ADMIN/}",
      "{prefix: /API/}|{prefix: /api/v1/}",
      "{path: /Login}|{path: /login}",
      "{regex: '^/r/[a-z]+$'}|{path: /r/ABC}",
      "{prefix: /api/}|{prefix: /API/admin/, case_sensitive: false}"})
  void aRouteCoveredIgnoringCaseUnderAnotherPolicyIsRefused(String earlier, String later) {
    assertEquals("gatehouse.yaml:5: routes[1]: route 'second' can never match: route 'first' (line 4) comes first"
        + " and, ignoring case, takes every path it would; such paths are refused as ambiguous_case (put route"
        + " 'second' first)", refusal(earlier, later, ", " + ADMIN));
  }

  @ParameterizedTest(name = "{0} before {1}")
  @CsvSource(delimiter = '|', value = {
      "{prefix: /API/ADMIN/}|{prefix: /api/}",
      "{prefix: /api/admin/, case_sensitive: false}|{prefix: /api/}",
      "{path: /Login}|{prefix: /}"})
  void theNarrowRouteFirstIsAllowedWhateverItsCase(String earlier, String later) throws ConfigException {
    assertEquals(2, loaded(earlier, ", " + ADMIN, later));
  }

  private static final String NEVER_MATCHES = "gatehouse.yaml:5: routes[1]: route 'second' can never match: route"
      + " 'first' (line 4) comes first and takes every request it would";
  private static final String ADMIN = "policy: {jwt: {roles: [admin]}}";

  /** The message refusing routes {@code first} then {@code second} ({@code secondExtra} appended to it). */
  private static String refusal(String earlier, String later, String secondExtra) {
    return assertThrows(ConfigException.class, () -> parse(withRoutes(
        "  - {id: first, match: " + earlier + ", upstream: orders}\n"
            + "  - {id: second, match: " + later + ", upstream: orders" + secondExtra + "}\n"))).getMessage();
  }

  /** How many routes load from {@code earlier} ({@code firstExtra} appended) then {@code later}. */
  private static int loaded(String earlier, String firstExtra, String later) throws ConfigException {
    return parse(withRoutes(
        "  - {match: " + earlier + ", upstream: orders" + firstExtra + "}\n"
            + "  - {match: " + later + ", upstream: orders}\n")).routes().size();
  }
}
