package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapping of the file, read key by key. Keys its {@link Shape.Obj} does not declare are
 * reported when the view is made; every getter returns empty when the key is absent or its value
 * is unusable (reported by {@link Reader}). Java assertions (on in tests) check that each key is
 * read as its shape declares it, so the JSON Schema made from the shapes describes what is read.
 */
final class Fields {
  final Reader reader;
  final Node.Mapping map;
  final String path;
  /** The declared keys. */
  private final Shape.Obj shape;

  Fields(Reader reader, Node.Mapping map, String path, Shape.Obj shape) {
    this.reader = reader;
    this.map = map;
    this.path = path;
    this.shape = shape;
    List<String> known = shape.names();
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
    assert declared(key) != null;
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
    assert readAs(key, Shape.Text.class, Shape.Choice.class, Shape.FromEnv.class);
    return node(key).flatMap(n -> reader.text(n, pathOf(key)));
  }

  Optional<Node.Scalar> scalar(String key) {
    assert readAs(key, Shape.Text.class, Shape.Choice.class, Shape.FromEnv.class);
    return node(key).flatMap(n -> reader.scalar(n, pathOf(key)));
  }

  /**
   * {@code key}'s value as one of {@code byName}: empty when absent, and empty with a problem
   * ({@code expected a, b or c, got x}, the names in {@code byName}'s order) when it is another.
   */
  <E> Optional<E> choice(String key, Map<String, E> byName) {
    assert declared(key).shape() instanceof Shape.Choice c && c.names().equals(List.copyOf(byName.keySet()))
        : pathOf(key) + " is read as one of " + byName.keySet() + " but declared as " + declared(key).shape();
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
    assert declaredAs(key, new Shape.Whole(min, max));
    return node(key).flatMap(n -> reader.integer(n, pathOf(key), min, max));
  }

  Optional<Boolean> bool(String key) {
    assert readAs(key, Shape.Flag.class);
    return node(key).flatMap(n -> reader.bool(n, pathOf(key)));
  }

  Optional<Duration> duration(String key, boolean positive) {
    assert declaredAs(key, new Shape.Span(positive));
    return node(key).flatMap(n -> reader.duration(n, pathOf(key), positive));
  }

  Optional<Long> size(String key, long min, long max) {
    assert declaredAs(key, new Shape.Size(min, max));
    return node(key).flatMap(n -> reader.size(n, pathOf(key), min, max));
  }

  Optional<List<String>> texts(String key) {
    assert readAs(key, Shape.ListOf.class);
    return node(key).flatMap(n -> reader.texts(n, pathOf(key)));
  }

  Optional<List<Node>> list(String key) {
    assert readAs(key, Shape.ListOf.class);
    return node(key).flatMap(n -> reader.list(n, pathOf(key)));
  }

  Optional<Node.Mapping> mapping(String key) {
    assert readAs(key, Shape.MapOf.class, Shape.Obj.class);
    return node(key).flatMap(n -> reader.mapping(n, pathOf(key)));
  }

  /** {@code key}'s mapping, holding only the keys {@code keys} declares. */
  Optional<Fields> fields(String key, Shape.Obj keys) {
    assert declaredAs(key, keys);
    return node(key).flatMap(n -> reader.fields(n, pathOf(key), keys));
  }

  /** {@code key}'s declaration; a key read but not declared is a bug, reported by an assertion. */
  private Shape.Key declared(String key) {
    return shape.key(key).orElseThrow(() -> new AssertionError(pathOf(key) + " is read but not declared in its Shape.Obj"));
  }

  @SafeVarargs
  private boolean readAs(String key, Class<? extends Shape>... kinds) {
    Shape.Key k = declared(key);
    for (Class<? extends Shape> kind : kinds) if (Shape.admits(k.shape(), kind)) return true;
    throw new AssertionError(pathOf(key) + " is declared as " + k.shape() + " but read as " + kinds[0].getSimpleName());
  }

  /** {@code key} is declared exactly as {@code expected} (or as an {@link Shape.AnyOf} with it). */
  private boolean declaredAs(String key, Shape expected) {
    Shape.Key k = declared(key);
    Shape s = k.shape() instanceof Shape.Named n ? n.shape() : k.shape();
    if (s.equals(expected) || s instanceof Shape.AnyOf a && a.choices().contains(expected)) return true;
    throw new AssertionError(pathOf(key) + " is declared as " + s + " but read as " + expected);
  }
}
