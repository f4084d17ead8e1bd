package gatehouse.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Text → {@link Node}. Uses SnakeYAML's composer only (no object construction, so no tags are
 * acted on), then refuses what a config must not contain: duplicate keys, non-string keys and
 * recursive aliases. {@code ${VAR}} is expanded here, in values only.
 */
final class YamlTree {
  private final Function<String, String> env;
  private final Problems problems;
  /** Nodes being converted, to refuse an alias that contains itself. */
  private final Set<org.yaml.snakeyaml.nodes.Node> open =
      Collections.newSetFromMap(new IdentityHashMap<>());

  private YamlTree(Function<String, String> env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /** The document's root, or empty when the file has no content or is not YAML (reported). */
  static Optional<Node> read(String yaml, Function<String, String> env, Problems problems) {
    org.yaml.snakeyaml.nodes.Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      Composer composer =
          new Composer(new ParserImpl(new StreamReader(yaml), options), new Resolver(), options);
      root = composer.getSingleNode();
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      // getProblem() and getContext() describe tokens, never quote values.
      String context = e.getContext() == null ? "" : e.getContext() + ": ";
      problems.add(line, "", "invalid YAML: " + context + e.getProblem());
      return Optional.empty();
    } catch (YAMLException e) {
      problems.add(0, "", "invalid YAML: " + e.getMessage());
      return Optional.empty();
    }
    if (root == null) {
      problems.add(1, "", "the file is empty");
      return Optional.empty();
    }
    return Optional.of(new YamlTree(env, problems).convert(root, ""));
  }

  private Node convert(org.yaml.snakeyaml.nodes.Node node, String path) {
    int line = node.getStartMark().getLine() + 1;
    if (!open.add(node)) {
      problems.add(line, path, "an alias may not contain itself");
      return new Node.Invalid(line);
    }
    try {
      if (node instanceof ScalarNode s) return scalar(s, line, path);
      if (node instanceof SequenceNode seq) {
        List<Node> items = new ArrayList<>();
        for (org.yaml.snakeyaml.nodes.Node item : seq.getValue()) {
          items.add(convert(item, path + "[" + items.size() + "]"));
        }
        return new Node.Sequence(line, items);
      }
      if (node instanceof MappingNode map) return mapping(map, line, path);
      throw new AssertionError("unknown YAML node " + node.getClass());
    } finally {
      open.remove(node);
    }
  }

  private Node scalar(ScalarNode s, int line, String path) {
    if (s.getTag().equals(Tag.NULL)) return new Node.Null(line);
    EnvSubstitution.Result r = EnvSubstitution.expand(s.getValue(), env);
    if (r instanceof EnvSubstitution.Expanded e) {
      return new Node.Scalar(line, e.text(), s.getValue(), e.fromEnv());
    }
    if (r instanceof EnvSubstitution.Failed f) {
      problems.add(line, path, f.message());
      return new Node.Invalid(line);
    }
    throw new AssertionError("unknown substitution result " + r);
  }

  private Node mapping(MappingNode map, int line, String path) {
    List<Node.Entry> entries = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      int keyLine = t.getKeyNode().getStartMark().getLine() + 1;
      if (!(t.getKeyNode() instanceof ScalarNode k) || k.getTag().equals(Tag.NULL)) {
        problems.add(keyLine, path, "keys must be plain strings");
        continue;
      }
      String key = k.getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      Integer first = firstLine.putIfAbsent(key, keyLine);
      if (first != null) {
        problems.add(keyLine, keyPath, "duplicate key '" + key + "' (first at line " + first + ")");
        continue;
      }
      entries.add(new Node.Entry(key, keyLine, convert(t.getValueNode(), keyPath)));
    }
    return new Node.Mapping(line, entries);
  }
}
