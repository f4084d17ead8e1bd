package gatehouse.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config file's JSON Schema (draft 2020-12), made from the {@link Shape}s the readers take
 * their keys from, for editors ({@code yaml-language-server}) and tools. It accepts every value
 * the reader accepts on its own: any scalar may come from the environment ({@code ${VAR}}), and
 * numbers and booleans written as quoted strings. What the reader checks against other keys or
 * the world (files exist, URLs, overlapping routes) only {@code gatehouse validate} knows.
 */
public final class ConfigSchema {
  /** A value that contains {@code ${NAME}} or {@code ${NAME:-default}}: known only when the file loads. */
  static final String FROM_ENV = "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}";
  private static final String DURATION = "[0-9]{1,9}(ms|s|m|h|d)";
  /** At most 9 digits, not all zero. */
  private static final String POSITIVE_DURATION = "(?=[0-9]{1,9}[mshd])0*[1-9][0-9]*(ms|s|m|h|d)";
  private static final String SIZE = "[0-9]{1,15}(B|KiB|MiB|GiB|KB|MB|GB)?";

  private final Map<String, Object> defs = new LinkedHashMap<>();

  private ConfigSchema() {}

  /** The schema as pretty-printed JSON, ending with a newline. */
  public static String json() {
    return write(tree());
  }

  /** The schema as maps, lists, strings, numbers and booleans, in the order it is printed. */
  static Map<String, Object> tree() {
    ConfigSchema s = new ConfigSchema();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("title", "Gatehouse configuration");
    root.putAll(s.object(ConfigReader.SHAPE));
    Map<String, Object> defs = new LinkedHashMap<>();
    defs.put("env", map("type", "string", "pattern", FROM_ENV,
        "description", "A value from the environment: ${NAME}, or ${NAME:-default} when it is unset or empty."));
    defs.put("text", map("type", List.of("string", "number", "boolean"), "minLength", 1,
        "description", "Text; a plain number or true/false is read as its text."));
    defs.put("boolean", map("anyOf", List.of(map("type", "boolean"),
        map("enum", List.of("true", "True", "TRUE", "false", "False", "FALSE")), env())));
    defs.put("duration", map("anyOf", List.of(map("type", "string", "pattern", "^" + DURATION + "$"), env()),
        "description", "A whole number and a unit: ms, s, m, h or d (500ms, 30s, 24h)."));
    defs.put("positive_duration", map("anyOf", List.of(map("type", "string", "pattern", "^" + POSITIVE_DURATION + "$"), env()),
        "description", "A whole number above 0 and a unit: ms, s, m, h or d (500ms, 30s, 24h)."));
    defs.putAll(s.defs);
    root.put("$defs", defs);
    return root;
  }

  private Map<String, Object> schema(Shape shape) {
    if (shape instanceof Shape.Text t) {
      // A plain 8080 or true in YAML is a number or a boolean to an editor, and text to the reader.
      if (t.pattern().isEmpty()) return ref("text");
      Map<String, Object> string = map("type", "string", "minLength", 1);
      string.put("pattern", "^(" + t.pattern().get() + ")$");
      return anyOf(string, env(), map("type", List.of("number", "boolean")));
    }
    if (shape instanceof Shape.Whole w) {
      return anyOf(map("type", "integer", "minimum", w.min(), "maximum", w.max()),
          map("type", "string", "pattern", "^-?[0-9]{1,10}$"), env());
    }
    if (shape instanceof Shape.Flag) return ref("boolean");
    if (shape instanceof Shape.Span s) return ref(s.positive() ? "positive_duration" : "duration");
    if (shape instanceof Shape.Size s) {
      return anyOf(map("type", "integer", "minimum", s.min(), "maximum", s.max()),
          map("type", "string", "pattern", "^" + SIZE + "$"), env());
    }
    if (shape instanceof Shape.Choice c) return anyOf(map("enum", c.names()), env());
    if (shape instanceof Shape.FromEnv) return env();
    if (shape instanceof Shape.ListOf l) {
      Map<String, Object> m = map("type", "array", "items", schema(l.item()));
      if (l.nonEmpty()) m.put("minItems", 1);
      return m;
    }
    if (shape instanceof Shape.MapOf m) {
      Map<String, Object> out = map("type", "object");
      m.keyPattern().ifPresent(p -> out.put("propertyNames", map("pattern", "^(" + p + ")$")));
      out.put("additionalProperties", schema(m.value()));
      return out;
    }
    if (shape instanceof Shape.AnyOf a) {
      List<Object> choices = new ArrayList<>();
      for (Shape c : a.choices()) choices.add(schema(c));
      return map("anyOf", choices);
    }
    if (shape instanceof Shape.Named n) {
      define(n.name(), () -> {
        Map<String, Object> d = map("description", n.description());
        d.putAll(schema(n.shape()));
        return d;
      });
      return ref(n.name());
    }
    if (shape instanceof Shape.Obj o) {
      if (o.name().isEmpty()) return object(o);
      define(o.name().get(), () -> object(o));
      return ref(o.name().get());
    }
    throw new AssertionError("unknown shape " + shape);
  }

  private Map<String, Object> object(Shape.Obj o) {
    Map<String, Object> out = map("type", "object");
    if (!o.description().isEmpty()) out.put("description", o.description());
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (Shape.Key k : o.keys()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("description", k.description());
      p.putAll(schema(k.shape()));
      properties.put(k.name(), p);
      if (k.isRequired()) required.add(k.name());
    }
    out.put("properties", properties);
    out.put("additionalProperties", false);
    if (!required.isEmpty()) out.put("required", required);
    if (o.oneKeyOnly()) {
      out.put("minProperties", 1);
      out.put("maxProperties", 1);
    }
    if (!o.exactlyOneOf().isEmpty()) {
      List<Object> one = new ArrayList<>();
      for (String k : o.exactlyOneOf()) one.add(map("required", List.of(k)));
      out.put("oneOf", one);
    }
    return out;
  }

  private void define(String name, java.util.function.Supplier<Map<String, Object>> body) {
    if (defs.containsKey(name)) return;
    defs.put(name, Map.of()); // reserved first, so a shape that refers to itself ends
    defs.put(name, body.get());
  }

  private static Map<String, Object> ref(String name) {
    return map("$ref", "#/$defs/" + name);
  }

  private static Map<String, Object> env() {
    return ref("env");
  }

  private static Map<String, Object> anyOf(Object... choices) {
    return map("anyOf", List.of(choices));
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return m;
  }

  private static String write(Map<String, Object> tree) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
          .withObjectIndenter(new DefaultIndenter("  ", "\n"))
          .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance);
      g.setPrettyPrinter(pretty);
      value(g, tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out + "\n";
  }

  private static void value(JsonGenerator g, Object v) throws IOException {
    if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName((String) e.getKey());
        value(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object o : l) value(g, o);
      g.writeEndArray();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Integer i) {
      g.writeNumber(i);
    } else if (v instanceof Long n) {
      g.writeNumber(n);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      throw new AssertionError("not JSON: " + v);
    }
  }
}
