package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@code examples/*.yaml} (the README's config examples) loads without a problem. */
class ExamplesTest {
  private static final Path EXAMPLES = gatehouse.testing.Repository.dir("examples");

  /** Variables an example may use without a default; fake values, never real secrets. */
  private static final Map<String, String> ENV = Map.of(
      "JWT_HMAC_SECRET", "example-hmac-secret-of-at-least-32-bytes",
      "INTROSPECTION_SECRET", "example-introspection-client-secret",
      "ORDERS_URL", "http://127.0.0.1:9000");

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
      assertFalse(yaml.isEmpty(), "no examples found in " + EXAMPLES.toAbsolutePath());
      return yaml;
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleLoads(Path file) throws IOException, ConfigException {
    ConfigLoader.parse(file.getFileName().toString(), Files.readString(file), file.toAbsolutePath().getParent(),
        ENV::get);
  }
}
