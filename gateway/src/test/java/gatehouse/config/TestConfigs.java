package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Parses YAML text as {@code gatehouse.yaml} and turns failures into the lines a user sees. */
final class TestConfigs {
  private TestConfigs() {}

  static final Path BASE_DIR = Path.of("/etc/gatehouse");

  /** One upstream and one catch-all route: the smallest valid file, to append sections to. */
  static final String MINIMAL = """
      upstreams:
        orders: {url: "http://127.0.0.1:9000"}
      routes:
        - {match: {prefix: /}, upstream: orders}
      """;

  static GatehouseConfig parse(String yaml) throws ConfigException {
    return parse(yaml, Map.of());
  }

  static GatehouseConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigLoader.parse("gatehouse.yaml", yaml, BASE_DIR, env::get);
  }

  static GatehouseConfig parse(String yaml, Path baseDir) throws ConfigException {
    return ConfigLoader.parse("gatehouse.yaml", yaml, baseDir, name -> null);
  }

  /** Every problem, formatted as printed: {@code gatehouse.yaml:LINE: KEY: MESSAGE}. */
  static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, env));
    return e.problems().stream().map(ConfigException.Problem::toString).toList();
  }

  /** {@link #MINIMAL} with {@code routes:} replaced, for route tests. */
  static String withRoutes(String routes) {
    return """
        upstreams:
          orders: {url: "http://127.0.0.1:9000"}
        routes:
        """ + routes;
  }
}
