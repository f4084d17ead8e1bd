package gatehouse.config;

import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.problems;
import static gatehouse.config.TestConfigs.withRoutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code match.case_sensitive}: read, defaulted and checked like every other key. */
class RouteCaseConfigTest {

  @Test
  void caseSensitiveDefaultsToTrueAndFalseIsRead() throws ConfigException {
    List<RouteConfig> routes = parse(withRoutes(
        "  - {match: {prefix: /api/admin/, case_sensitive: false}, upstream: orders}\n"
            + "  - {match: {prefix: /api/}, upstream: orders}\n")).routes();
    assertFalse(routes.get(0).match().caseSensitive());
    assertTrue(routes.get(1).match().caseSensitive());
  }

  @Test
  void caseSensitiveMustBeABoolean() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.case_sensitive: expected true or false, got 'no'"),
        problems(withRoutes("  - {match: {prefix: /, case_sensitive: no}, upstream: orders}\n")));
  }

  @Test
  void aMisspeltCaseSensitiveGetsAHint() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.case_sensitve: unknown key 'case_sensitve'"
            + " (did you mean 'case_sensitive'?)"),
        problems(withRoutes("  - {match: {prefix: /, case_sensitve: false}, upstream: orders}\n")));
  }
}
