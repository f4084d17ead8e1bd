package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapping of the file, read key by key. Keys outside {@code known} are reported when the
 * view is made; every getter returns empty when the key is absent or its value is unusable
 * (reported by {@link Reader}).
 *
 * <p>A view made from a {@link Shape.Obj} also checks, with Java assertions (on in tests), that
 * each key is read as its shape declares it: the JSON Schema made from the shapes then describes
 * what the reader reads.
 */
final class Fields {
  final Reader reader;
  final Node.Mapping map;
  final String path;
  /** The declared keys, when the view was made from them. */
  private final Optional<Shape.Obj> shape;

  Fields(Reader reader, Node.Mapping map, String path, List<String> known) {
    this(reader, map, path, known, Optional.empty());
  }

  Fields(Reader reader, Node.Mapping map, String path, Shape.Obj shape) {
    this(reader, map, path, shape.names(), Optional.of(shape));
  }

  private Fields(Reader reader, Node.Mapping map, String path, List<String> known, Optional<Shape.Obj> shape) {
    this.reader = reader;
    this.map = map;
    this.path = path;
    this.shape = shape;
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
    assert declared(key).isPresent() || shape.isEmpty();
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
    assert declared(key).map(k -> k.shape() instanceof Shape.Choice c && c.names().equals(List.copyOf(byName.keySet()))).orElse(true)
        : pathOf(key) + " is read as one of " + byName.keySet() + " but declared as " + declared(key).get().shape();
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

  Optional<Fields> fields(String key, List<String> known) {
    return node(key).flatMap(n -> reader.fields(n, pathOf(key), known));
  }

  /** {@code key}'s mapping, holding only the keys {@code keys} declares. */
  Optional<Fields> fields(String key, Shape.Obj keys) {
    assert declaredAs(key, keys);
    return node(key).flatMap(n -> reader.fields(n, pathOf(key), keys));
  }

  /** {@code key}'s declaration; a key read but not declared is a bug, reported by an assertion. */
  private Optional<Shape.Key> declared(String key) {
    if (shape.isEmpty()) return Optional.empty();
    Optional<Shape.Key> k = shape.get().key(key);
    if (k.isEmpty()) throw new AssertionError(pathOf(key) + " is read but not declared in its Shape.Obj");
    return k;
  }

  @SafeVarargs
  private boolean readAs(String key, Class<? extends Shape>... kinds) {
    Optional<Shape.Key> k = declared(key);
    if (k.isEmpty()) return true;
    for (Class<? extends Shape> kind : kinds) if (Shape.admits(k.get().shape(), kind)) return true;
    throw new AssertionError(pathOf(key) + " is declared as " + k.get().shape() + " but read as " + kinds[0].getSimpleName());
  }

  /** {@code key} is declared exactly as {@code expected} (or as an {@link Shape.AnyOf} with it). */
  private boolean declaredAs(String key, Shape expected) {
    Optional<Shape.Key> k = declared(key);
    if (k.isEmpty()) return true;
    Shape s = k.get().shape() instanceof Shape.Named n ? n.shape() : k.get().shape();
    if (s.equals(expected) || s instanceof Shape.AnyOf a && a.choices().contains(expected)) return true;
    throw new AssertionError(pathOf(key) + " is declared as " + s + " but read as " + expected);
  }
}
