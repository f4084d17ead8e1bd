package gatehouse.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a key of the file may hold, as data. Each reader declares the mappings it reads as an
 * {@link Obj}; {@link Reader#fields(Node, String, Obj)} takes the allowed keys from it (every other
 * key is an error), and {@link ConfigSchema} turns the same declarations into the JSON Schema that
 * {@code gatehouse schema} prints. A key is added in one place: its reader's {@code Obj}.
 *
 * <p>A shape says what a value looks like on its own (a duration, one of some names, a list of
 * mappings). What depends on other keys or on the world (a URL's scheme, a file that must exist,
 * a limit that must not exceed another) is checked by the reader only.
 */
sealed interface Shape {

  /** A string; {@code pattern}, when given, is what the reader also requires (a regex, whole value). */
  record Text(Optional<String> pattern) implements Shape {}

  /** A whole number between {@code min} and {@code max}. */
  record Whole(long min, long max) implements Shape {}

  record Flag() implements Shape {}

  /** {@code 500ms}, {@code 30s}, {@code 24h}; {@code positive}: zero is refused too. */
  record Span(boolean positive) implements Shape {}

  /** Bytes, or a number with a unit ({@code 8KiB}, {@code 10MB}), between {@code min} and {@code max} bytes. */
  record Size(long min, long max) implements Shape {}

  /** One of {@code names}. */
  record Choice(List<String> names) implements Shape {
    public Choice {
      names = List.copyOf(names);
    }
  }

  /** A secret that must come from the environment: {@code ${VARIABLE}}. */
  record FromEnv() implements Shape {}

  /** A list of {@code item}; {@code nonEmpty}: an empty list is refused. */
  record ListOf(Shape item, boolean nonEmpty) implements Shape {}

  /** A mapping of names the user chooses (matching {@code keyPattern}, when given) to {@code value}. */
  record MapOf(Shape value, Optional<String> keyPattern) implements Shape {}

  /** Any of {@code choices}: a policy is a name or a mapping. */
  record AnyOf(List<Shape> choices) implements Shape {
    public AnyOf {
      choices = List.copyOf(choices);
    }
  }

  /** {@code shape} under {@code name} in the schema's {@code $defs}, described once there. */
  record Named(String name, String description, Shape shape) implements Shape {}

  /**
   * A mapping that holds only {@code keys}. {@code exactlyOneOf}, when not empty, lists keys of which
   * exactly one must be given; {@code oneKeyOnly}: the mapping holds exactly one of its keys (a
   * policy mapping). {@code name} names it in the schema's {@code $defs} when it is used in
   * several places or stands for a concept (a route, a provider).
   */
  record Obj(Optional<String> name, String description, List<Key> keys, List<String> exactlyOneOf, boolean oneKeyOnly) implements Shape {
    public Obj {
      keys = List.copyOf(keys);
      exactlyOneOf = List.copyOf(exactlyOneOf);
      List<String> seen = new ArrayList<>();
      for (Key k : keys) {
        if (seen.contains(k.name())) throw new IllegalArgumentException("key '" + k.name() + "' is declared twice");
        seen.add(k.name());
      }
    }

    /** The allowed keys, in the order messages list them. */
    List<String> names() {
      return keys.stream().map(Key::name).toList();
    }

    Optional<Key> key(String name) {
      return keys.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** This mapping under {@code name} in the schema's {@code $defs}. */
    Obj named(String defName) {
      return new Obj(Optional.of(defName), description, keys, exactlyOneOf, oneKeyOnly);
    }

    /** Exactly one of {@code oneOf} must be given. */
    Obj exactlyOne(String... oneOf) {
      return new Obj(name, description, keys, List.of(oneOf), oneKeyOnly);
    }

    /** The mapping holds exactly one of its keys. */
    Obj singleKey() {
      return new Obj(name, description, keys, exactlyOneOf, true);
    }
  }

  /** One key of a mapping: its value's shape, whether it must be given, and what it is for. */
  record Key(String name, Shape shape, boolean isRequired, String description) {
    Key required() {
      return new Key(name, shape, true, description);
    }
  }

  static Key key(String name, Shape shape, String description) {
    return new Key(name, shape, false, description);
  }

  static Obj obj(String description, Key... keys) {
    return new Obj(Optional.empty(), description, List.of(keys), List.of(), false);
  }

  static Text text() {
    return new Text(Optional.empty());
  }

  static Text text(String pattern) {
    return new Text(Optional.of(pattern));
  }

  static Whole whole(long min, long max) {
    return new Whole(min, max);
  }

  static Flag flag() {
    return new Flag();
  }

  static Span span() {
    return new Span(false);
  }

  static Span positiveSpan() {
    return new Span(true);
  }

  static Size size(long min, long max) {
    return new Size(min, max);
  }

  static Choice choice(Collection<String> names) {
    return new Choice(List.copyOf(names));
  }

  static Choice choice(String... names) {
    return new Choice(List.of(names));
  }

  static FromEnv fromEnv() {
    return new FromEnv();
  }

  static ListOf listOf(Shape item) {
    return new ListOf(item, false);
  }

  static ListOf nonEmptyListOf(Shape item) {
    return new ListOf(item, true);
  }

  static MapOf mapOf(Shape value, String keyPattern) {
    return new MapOf(value, Optional.ofNullable(keyPattern));
  }

  static Named named(String name, String description, Shape shape) {
    return new Named(name, description, shape);
  }

  static AnyOf anyOf(Shape... choices) {
    return new AnyOf(List.of(choices));
  }

  /** Whether a value of {@code shape} may be read as a {@code kind} (an {@link AnyOf} may be read as any of its choices). */
  static boolean admits(Shape shape, Class<? extends Shape> kind) {
    if (kind.isInstance(shape)) return true;
    if (shape instanceof Named n) return admits(n.shape(), kind);
    return shape instanceof AnyOf a && a.choices().stream().anyMatch(c -> admits(c, kind));
  }
}
