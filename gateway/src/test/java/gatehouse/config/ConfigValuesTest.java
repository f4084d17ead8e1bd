package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Config records compare by value: the same file loaded twice gives equal records with equal hash
 * codes, so "did this provider change?" at reload is {@code equals}.
 */
class ConfigValuesTest {
  private static final Map<String, String> ENV = Map.of(
      "JWT_HMAC_SECRET", "example-hmac-secret-of-at-least-32-bytes",
      "INTROSPECTION_SECRET", "example-introspection-client-secret",
      "ORDERS_URL", "http://127.0.0.1:9000");

  static List<Path> examples() throws IOException {
    return ExamplesTest.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void anExampleLoadedTwiceGivesEqualRecords(Path file) throws IOException, ConfigException {
    GatehouseConfig first = load(file);
    GatehouseConfig second = load(file);
    assertEquals(Optional.empty(), difference("config", first, second));
    assertEquals(first, second);
    assertEquals(first.hashCode(), second.hashCode());
  }

  /** The innermost part (record component, list index, map key) where two loads differ, so a failure names it. */
  private static Optional<String> difference(String path, Object a, Object b) {
    if (Objects.equals(a, b) && Objects.hashCode(a) == Objects.hashCode(b)) return Optional.empty();
    if (a != null && b != null && a.getClass().isRecord() && a.getClass() == b.getClass()) {
      for (RecordComponent c : a.getClass().getRecordComponents()) {
        Optional<String> d = difference(path + "." + c.getName(), get(c, a), get(c, b));
        if (d.isPresent()) return d;
      }
    } else if (a instanceof List<?> x && b instanceof List<?> y && x.size() == y.size()) {
      for (int i = 0; i < x.size(); i++) {
        Optional<String> d = difference(path + "[" + i + "]", x.get(i), y.get(i));
        if (d.isPresent()) return d;
      }
    } else if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y && x.keySet().equals(y.keySet())) {
      for (Object k : x.keySet()) {
        Optional<String> d = difference(path + "[" + k + "]", x.get(k), y.get(k));
        if (d.isPresent()) return d;
      }
    } else if (a instanceof Optional<?> x && b instanceof Optional<?> y && x.isPresent() && y.isPresent()) {
      return difference(path, x.get(), y.get());
    }
    return Optional.of(path + ": " + (a == null ? "null" : a.getClass().getName()) + " " + a + " vs " + b);
  }

  private static Object get(RecordComponent c, Object record) {
    try {
      c.getAccessor().setAccessible(true);
      return c.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static GatehouseConfig load(Path file) throws IOException, ConfigException {
    return ConfigLoader.parse(file.getFileName().toString(), Files.readString(file), file.toAbsolutePath().getParent(), ENV::get);
  }
}
