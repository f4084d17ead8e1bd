package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import gatehouse.demo.DemoScenarios;
import gatehouse.testing.ReadmeBlocks;
import gatehouse.testing.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code gatehouse schema} and the reader agree: every mapping the reader reads names exactly the
 * keys the schema names, every value the reader accepts the schema accepts, the examples pass, and
 * {@code docs/gatehouse.schema.json} is what the command prints. YAML is turned into JSON as
 * editors do (YAML 1.2: {@code 8080} is a number, {@code yes} a string).
 */
class ConfigSchemaTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Path EXAMPLES = Repository.dir("examples");
  private static final JsonNode SCHEMA_TREE = JSON.readTree(ConfigSchema.json());
  private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
      .getSchema(SCHEMA_TREE);
  /** Stands for a key no mapping has; far from every real key, so the reader lists them all. */
  private static final String PROBE = "zzzz_probe";

  /** Variables the configs here use; fake values, never real secrets. */
  private static final Map<String, String> ENV = Map.of(
      "GH_TEST_SIGNING_SECRET", "test-signing-secret-of-at-least-32-bytes",
      "GH_TEST_JWT_SECRET", "test-jwt-hmac-secret-of-at-least-32-bytes",
      "GH_TEST_PEPPER", "test-pepper-of-at-least-thirty-two-characters",
      "GH_TEST_ADMIN_TOKEN", "test-admin-token-of-at-least-32-characters",
      "GH_TEST_INTROSPECTION_SECRET", "test-introspection-secret",
      "GH_TEST_REDIS_PASSWORD", "test-redis-password",
      "JWT_HMAC_SECRET", "example-hmac-secret-of-at-least-32-bytes",
      "INTROSPECTION_SECRET", "example-introspection-client-secret",
      "ORDERS_URL", "http://127.0.0.1:9000");

  @Test
  void theCommittedSchemaIsWhatGatehouseSchemaPrints() throws IOException {
    Path committed = Repository.dir("docs").resolve("gatehouse.schema.json");
    assertTrue(Files.isRegularFile(committed), committed + " is missing");
    assertEquals(ConfigSchema.json(), Files.readString(committed),
        "docs/gatehouse.schema.json is stale: run ./gatehouse schema --output docs/gatehouse.schema.json and commit it");
  }

  @Test
  void theSchemaIsAValidDraft202012Schema() {
    Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    assertEquals(List.of(), meta.validate(SCHEMA_TREE));
    assertEquals("https://json-schema.org/draft/2020-12/schema", SCHEMA_TREE.get("$schema").asString());
  }

  @Test
  void theFileWithEveryKeyLoadsAndPassesTheSchema() throws IOException {
    JsonNode doc = everyKey();
    assertEquals(List.of(), problems(doc));
    assertEquals(List.of(), SCHEMA.validate(doc));
  }

  @TestFactory
  Stream<DynamicTest> everyExamplePassesTheSchema() throws IOException {
    return ExamplesTest.examples().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
        () -> assertValid(file.toString(), Files.readString(file))));
  }

  @Test
  void theDemoConfigPassesTheSchema() {
    assertValid("demo", DemoScenarios.config(8080, 9901, 9000, 9100, "demo-client-secret"));
  }

  @TestFactory
  Stream<DynamicTest> everyReadmeConfigPassesTheSchema() {
    return ReadmeBlocks.readme().runnable("yaml").stream()
        .map(b -> DynamicTest.dynamicTest(b.where(), () -> assertValid(b.where(), b.body())));
  }

  /** Each is refused by the reader, and by the schema at the same key. */
  @ParameterizedTest
  @ValueSource(strings = {
      "routes: [{match: {path: /a, pth: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}|/routes/0/match",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1', timeout: 30}}|/upstreams/u/timeout",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1', max_connections: many}}"
          + "|/upstreams/u/max_connections",
      "routes: [{match: {path: /a}, upstream: u, websocket: yes}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}|/routes/0/websocket",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}\naccess_log: {format: xml}"
          + "|/access_log/format",
      "routes: [{match: {path: /a}, upstream: u, policy: {jwt: {}, api_key: {}}}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}"
          + "|/routes/0/policy",
      "routes: [{match: {path: /a, prefix: /b}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}|/routes/0/match",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}\n"
          + "redis: {url: 'redis://127.0.0.1', password: written-out}|/redis/password",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}\nlimits: {max_body: 10mb}"
          + "|/limits/max_body",
      "upstreams: {u: {url: 'http://127.0.0.1:1'}}|",
      "routes: []\nupstreams: {u: {url: 'http://127.0.0.1:1'}}|/routes",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}\nlisten: {port: 70000}|/listen/port",
      "routes: [{match: {path: /a}, upstream: u}]\nupstreams: {u: {url: 'http://127.0.0.1:1'}}\nidentity: ~|/identity"})
  void aConfigTheReaderRefusesTheSchemaRefusesAtTheSameKey(String row) {
    String yaml = row.substring(0, row.lastIndexOf('|'));
    String at = row.substring(row.lastIndexOf('|') + 1);
    JsonNode doc = YAML.readTree(yaml);
    assertFalse(problems(doc).isEmpty(), "the reader accepts " + yaml);
    List<Error> errors = SCHEMA.validate(doc);
    assertTrue(errors.stream().anyMatch(e -> pointer(e).startsWith(at)),
        "the schema refuses " + yaml + " at " + at + ", got " + errors);
  }

  /** Tests run with assertions on: a reader that reads a key otherwise than its shape declares fails them. */
  @Test
  void aKeyReadOtherwiseThanItsShapeDeclaresFailsAnAssertion() {
    Node.Mapping map = new Node.Mapping(1, List.of(new Node.Entry("a", 1, new Node.Scalar(1, "30s", "30s", false))));
    Shape.Obj shape = Shape.obj("t", Shape.key("a", Shape.flag(), "a flag"), Shape.key("n", Shape.whole(1, 9), "a number"));
    Fields f = new Reader(new Problems("t.yaml")).fields(map, "t", shape).orElseThrow();
    assertEquals("t.a is declared as Flag[] but read as Span[positive=true]",
        assertThrows(AssertionError.class, () -> f.duration("a", true)).getMessage());
    assertEquals("t.n is declared as Whole[min=1, max=9] but read as Whole[min=1, max=10]",
        assertThrows(AssertionError.class, () -> f.integer("n", 1, 10)).getMessage());
    assertEquals("t.b is read but not declared in its Shape.Obj", assertThrows(AssertionError.class, () -> f.has("b")).getMessage());
  }

  @Test
  void valuesFromTheEnvironmentPassTheSchemaWhereverTheReaderTakesThem() {
    JsonNode doc = YAML.readTree("""
        listen: {port: '${PORT}', h2c: '${H2C:-false}'}
        limits: {max_body: '${MAX_BODY}', idle_timeout: '${IDLE}'}
        access_log: {format: '${FORMAT:-json}'}
        redis: {url: '${REDIS_URL}', password: '${REDIS_PASSWORD:-}'}
        routes: [{match: {path: /a}, upstream: u}]
        upstreams: {u: {url: '${U}'}}
        """);
    assertEquals(List.of(), SCHEMA.validate(doc));
  }

  /**
   * The walk the issue asks for: at every mapping of {@code every-key.yaml}, an unknown key makes
   * the reader list the keys it accepts there, which must be exactly the keys the schema names
   * there; and every mapping the schema describes must be reached, so a new mapping is walked too.
   */
  @Test
  void everyMappingAcceptsExactlyTheKeysTheSchemaNames() throws IOException {
    JsonNode doc = everyKey();
    List<String> differences = new ArrayList<>();
    Set<JsonNode> probed = Collections.newSetFromMap(new IdentityHashMap<>());
    walk(doc, List.of(), "", List.of(SCHEMA_TREE), (at, path, objects) -> {
      for (JsonNode object : objects) {
        probed.add(object);
        Set<String> named = new TreeSet<>(object.get("properties").propertyNames());
        Set<String> accepted = new TreeSet<>(object.has("maxProperties") ? acceptedSingleKeys(doc, at, path) : acceptedKeys(doc, at, path));
        Set<String> onlyReader = new TreeSet<>(accepted);
        onlyReader.removeAll(named);
        Set<String> onlySchema = new TreeSet<>(named);
        onlySchema.removeAll(accepted);
        String where = path.isEmpty() ? "the top level" : path;
        onlyReader.forEach(k -> differences.add(where + ": the reader accepts '" + k + "', the schema does not name it"
            + " (declare it in the reader's Shape.Obj, not in a List.of)"));
        onlySchema.forEach(k -> differences.add(where + ": the schema names '" + k + "', the reader refuses it"));
      }
    });
    for (String pointer : closedObjects()) {
      JsonNode object = SCHEMA_TREE.at(pointer);
      if (!probed.contains(object)) {
        differences.add("the schema's mapping at " + pointer + " is never reached by every-key.yaml: add it there");
      }
    }
    if (!differences.isEmpty()) fail(String.join("\n", differences));
  }

  /**
   * The schema never refuses what the reader accepts: a value of {@code every-key.yaml} or of an
   * example is replaced by a value of another kind, or its key left out; whenever the reader still
   * accepts the file, so must the schema. (Each load reads the files the config names, up to
   * 0.3 s, so the tries are sampled; all 8,800 changes were run once and passed.)
   */
  @Property(tries = 150)
  void theSchemaAcceptsEveryChangedFileTheReaderAccepts(@ForAll("changedFiles") JsonNode changed) {
    if (!problems(changed).isEmpty()) return;
    List<Error> errors = SCHEMA.validate(changed);
    if (!errors.isEmpty()) fail("the reader accepts this file, the schema says " + errors + ":\n" + changed);
  }

  @Provide
  Arbitrary<JsonNode> changedFiles() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    docs.add(everyKey());
    for (Path file : ExamplesTest.examples()) docs.add(YAML.readTree(Files.readString(file)));
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<JsonNode> candidates = List.of(f.stringNode("zz-not-valid"), f.stringNode(""), f.stringNode("0"), f.stringNode("1"),
        f.stringNode("-1"), f.stringNode("0s"), f.stringNode("1d"), f.stringNode("8KiB"), f.stringNode("99999999999"),
        f.numberNode(0), f.numberNode(1), f.numberNode(-1), f.numberNode(99_999_999_999L), f.booleanNode(true),
        f.booleanNode(false), f.stringNode("TRUE"), f.arrayNode(), f.objectNode(), f.nullNode(),
        f.arrayNode().add("zz"), f.stringNode("public"));
    return Arbitraries.of(docs).flatMap(doc -> Combinators.combine(Arbitraries.of(leaves(doc, List.of())),
            Arbitraries.integers().between(0, candidates.size()))
        .as((at, c) -> c == candidates.size() ? removed(doc, at) : replaced(doc, at, candidates.get(c))));
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonNode everyKey() throws IOException {
    try (InputStream in = ConfigSchemaTest.class.getResourceAsStream("every-key.yaml")) {
      return YAML.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void assertValid(String where, String yaml) {
    List<Error> errors = SCHEMA.validate(YAML.readTree(yaml));
    if (!errors.isEmpty()) fail(where + " does not pass the schema: " + errors);
  }

  /** What the reader says of {@code doc} (JSON is YAML), loaded as if saved in {@code examples/}. */
  private static List<ConfigException.Problem> problems(JsonNode doc) {
    try {
      ConfigLoader.parse("config.yaml", JSON.writeValueAsString(doc), EXAMPLES, ENV::get);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  private static String pointer(Error e) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < e.getInstanceLocation().getNameCount(); i++) s.append('/').append(e.getInstanceLocation().getElement(i));
    return s.toString();
  }

  /** The keys the reader lists when the mapping at {@code at} holds an unknown one. */
  private static List<String> acceptedKeys(JsonNode doc, List<Object> at, String path) {
    ObjectNode probe = (ObjectNode) doc.deepCopy();
    ((ObjectNode) probe.at(jsonPointer(at))).put(PROBE, 1);
    String key = path.isEmpty() ? PROBE : path + "." + PROBE;
    for (ConfigException.Problem p : problems(probe)) {
      if (p.key().equals(key) && p.message().contains("(expected one of: ")) {
        String list = p.message().substring(p.message().indexOf("(expected one of: ") + "(expected one of: ".length());
        return List.of(list.substring(0, list.length() - 1).split(", "));
      }
    }
    throw new AssertionError(path + ": the reader did not refuse the unknown key " + PROBE + ": " + problems(probe));
  }

  /**
   * A mapping of exactly one key (a policy): the reader names the kinds it knows when given an
   * unknown one; those it accepts as a mapping's one key (with no requirements) are its keys.
   */
  private static List<String> acceptedSingleKeys(JsonNode doc, List<Object> at, String path) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<ConfigException.Problem> refused = problems(replaced(doc, at, f.objectNode().set(PROBE, f.objectNode())));
    String marker = "(expected ";
    ConfigException.Problem p = refused.stream().filter(r -> r.key().equals(path) && r.message().contains(marker)).findFirst()
        .orElseThrow(() -> new AssertionError(path + ": the reader did not refuse the unknown key " + PROBE + ": " + refused));
    String list = p.message().substring(p.message().indexOf(marker) + marker.length());
    List<String> out = new ArrayList<>();
    for (String kind : list.substring(0, list.length() - 1).split(", ")) {
      // Refused there, or below it; a problem elsewhere (a route's rate limit that no longer fits) is not about this key.
      boolean refusedHere = problems(replaced(doc, at, f.objectNode().set(kind, f.objectNode()))).stream()
          .anyMatch(r -> r.key().equals(path) || r.key().startsWith(path + "."));
      if (!refusedHere) out.add(kind);
    }
    return out;
  }

  interface MappingVisitor {
    void visit(List<Object> at, String path, List<JsonNode> closedObjects);
  }

  /** Visits every mapping of {@code node} with the schema objects that describe it. */
  private static void walk(JsonNode node, List<Object> at, String path, List<JsonNode> schemas, MappingVisitor visitor) {
    List<JsonNode> expanded = new ArrayList<>();
    for (JsonNode s : schemas) expanded.addAll(expand(s));
    if (node.isObject()) {
      List<JsonNode> closed = expanded.stream().filter(s -> s.has("properties") && s.path("additionalProperties").isBoolean()).toList();
      if (!closed.isEmpty()) visitor.visit(at, path, closed);
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        List<JsonNode> child = new ArrayList<>();
        for (JsonNode s : expanded) {
          if (s.path("properties").has(e.getKey())) child.add(s.get("properties").get(e.getKey()));
          else if (s.path("additionalProperties").isObject()) child.add(s.get("additionalProperties"));
        }
        walk(e.getValue(), append(at, e.getKey()), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), child, visitor);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        List<JsonNode> items = expanded.stream().filter(s -> s.has("items")).map(s -> s.get("items")).toList();
        walk(node.get(i), append(at, i), path + "[" + i + "]", items, visitor);
      }
    }
  }

  /** {@code schema} with its {@code $ref} followed and its {@code anyOf} choices listed. */
  private static List<JsonNode> expand(JsonNode schema) {
    List<JsonNode> out = new ArrayList<>();
    if (schema.has("$ref")) out.addAll(expand(SCHEMA_TREE.at(schema.get("$ref").asString().substring(1))));
    if (schema.has("anyOf")) for (JsonNode c : schema.get("anyOf")) out.addAll(expand(c));
    out.add(schema);
    return out;
  }

  /** JSON pointers of every schema object that admits only the keys it names. */
  private static Set<String> closedObjects() {
    Set<String> out = new LinkedHashSet<>();
    collect(SCHEMA_TREE, "", out);
    return out;
  }

  private static void collect(JsonNode node, String pointer, Set<String> out) {
    if (node.isObject()) {
      if (node.has("properties") && node.path("additionalProperties").isBoolean()) out.add(pointer);
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (e.getKey().equals("properties")) {
          for (Map.Entry<String, JsonNode> p : e.getValue().properties()) {
            collect(p.getValue(), pointer + "/properties/" + p.getKey().replace("~", "~0").replace("/", "~1"), out);
          }
        } else {
          collect(e.getValue(), pointer + "/" + e.getKey(), out);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) collect(node.get(i), pointer + "/" + i, out);
    }
  }

  /** Where every value is: keys of mappings and indexes of lists, from the top. */
  private static List<List<Object>> leaves(JsonNode node, List<Object> at) {
    List<List<Object>> out = new ArrayList<>();
    if (!at.isEmpty()) out.add(at);
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) out.addAll(leaves(e.getValue(), append(at, e.getKey())));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) out.addAll(leaves(node.get(i), append(at, i)));
    }
    return out;
  }

  private static JsonNode replaced(JsonNode doc, List<Object> at, JsonNode value) {
    if (at.isEmpty()) return value;
    JsonNode copy = doc.deepCopy();
    JsonNode parent = copy.at(jsonPointer(at.subList(0, at.size() - 1)));
    Object last = at.get(at.size() - 1);
    if (last instanceof String k) ((ObjectNode) parent).set(k, value);
    else ((ArrayNode) parent).set((Integer) last, value);
    return copy;
  }

  private static JsonNode removed(JsonNode doc, List<Object> at) {
    JsonNode copy = doc.deepCopy();
    JsonNode parent = copy.at(jsonPointer(at.subList(0, at.size() - 1)));
    Object last = at.get(at.size() - 1);
    if (last instanceof String k) ((ObjectNode) parent).remove(k);
    else ((ArrayNode) parent).remove((int) (Integer) last);
    return copy;
  }

  private static String jsonPointer(List<Object> at) {
    StringBuilder s = new StringBuilder();
    for (Object o : at) s.append('/').append(o.toString().replace("~", "~0").replace("/", "~1"));
    return s.toString();
  }

  private static List<Object> append(List<Object> at, Object step) {
    List<Object> out = new ArrayList<>(at);
    out.add(step);
    return out;
  }
}
