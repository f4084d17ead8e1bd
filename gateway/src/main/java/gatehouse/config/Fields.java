package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapping of the file, read key by key. Keys outside {@code known} are reported when the
 * view is made; every getter returns empty when the key is absent or its value is unusable
 * (reported by {@link Reader}).
 */
final class Fields {
  final Reader reader;
  final Node.Mapping map;
  final String path;

  Fields(Reader reader, Node.Mapping map, String path, List<String> known) {
    this.reader = reader;
    this.map = map;
    this.path = path;
    for (Node.Entry e : map.entries()) {
      if (known.contains(e.key())) continue;
      String message = e.key().equals("<<")
          ? "YAML merge keys are not supported"
          : "unknown key '" + e.key() + "'" + Suggestions.closest(e.key(), known)
              .map(c -> " (did you mean '" + c + "'?)")
              .orElse(" (expected one of: " + String.join(", ", known) + ")");
      reader.problems.add(e.line(), pathOf(e.key()), message);
    }
  }

  int line() {
    return map.line();
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  Optional<Node> node(String key) {
    for (Node.Entry e : map.entries()) {
      if (e.key().equals(key)) return Optional.of(e.value());
    }
    return Optional.empty();
  }

  boolean has(String key) {
    return node(key).isPresent();
  }

  /** Reports {@code key} missing when absent; a present but unusable value was reported already. */
  void require(String key) {
    if (!has(key)) reader.problems.add(map.line(), pathOf(key), "is required");
  }

  /**
   * Whether {@code key}'s value is written out. Names and ids are quoted in other keys' messages,
   * so they may not come from the environment, whose values messages never show.
   */
  boolean literal(String key) {
    Node node = node(key).orElseThrow();
    if (node instanceof Node.Scalar s && s.fromEnv()) {
      reader.problems.add(node, pathOf(key), "must be written out, not taken from the environment");
      return false;
    }
    return true;
  }

  Optional<String> text(String key) {
    return node(key).flatMap(n -> reader.text(n, pathOf(key)));
  }

  Optional<Node.Scalar> scalar(String key) {
    return node(key).flatMap(n -> reader.scalar(n, pathOf(key)));
  }

  /**
   * {@code key}'s value as one of {@code byName}: empty when absent, and empty with a problem
   * ({@code expected a, b or c, got x}, the names in {@code byName}'s order) when it is another.
   */
  <E> Optional<E> choice(String key, Map<String, E> byName) {
    Optional<Node.Scalar> s = scalar(key);
    if (s.isEmpty()) return Optional.empty();
    E chosen = byName.get(s.get().text());
    if (chosen == null) {
      List<String> names = List.copyOf(byName.keySet());
      String expected = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
      reader.problems.add(s.get(), pathOf(key), "expected " + expected + ", got " + s.get().shown());
    }
    return Optional.ofNullable(chosen);
  }

  Optional<Integer> integer(String key, int min, int max) {
    return node(key).flatMap(n -> reader.integer(n, pathOf(key), min, max));
  }

  Optional<Boolean> bool(String key) {
    return node(key).flatMap(n -> reader.bool(n, pathOf(key)));
  }

  Optional<Duration> duration(String key, boolean positive) {
    return node(key).flatMap(n -> reader.duration(n, pathOf(key), positive));
  }

  Optional<Long> size(String key, long min, long max) {
    return node(key).flatMap(n -> reader.size(n, pathOf(key), min, max));
  }

  Optional<List<String>> texts(String key) {
    return node(key).flatMap(n -> reader.texts(n, pathOf(key)));
  }

  Optional<List<Node>> list(String key) {
    return node(key).flatMap(n -> reader.list(n, pathOf(key)));
  }

  Optional<Node.Mapping> mapping(String key) {
    return node(key).flatMap(n -> reader.mapping(n, pathOf(key)));
  }

  Optional<Fields> fields(String key, List<String> known) {
    return node(key).flatMap(n -> reader.fields(n, pathOf(key), known));
  }
}
