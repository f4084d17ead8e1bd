package gatehouse.config;

import java.util.List;

/**
 * The YAML document as a small tree that remembers where each node came from. Built by {@link
 * YamlTree} after duplicate keys are refused and {@code ${VAR}} is substituted, so the readers
 * never see raw YAML again. Lines are 1-based.
 */
sealed interface Node {

  int line();

  /** How the node is named in "expected X, got Y" messages. */
  String kind();

  /**
   * A scalar value. {@code text} is after substitution; {@code written} is what the file says.
   * Messages quote {@link #shown()}, which never reveals text that came from the environment.
   */
  record Scalar(int line, String text, String written, boolean fromEnv) implements Node {
    @Override
    public String kind() {
      return "a string";
    }

    /** The value for messages: as written when the environment contributed to it, quoted. */
    String shown() {
      String s = fromEnv ? written : text;
      if (s.length() > 80) s = s.substring(0, 77) + "...";
      return "'" + s + "'";
    }
  }

  /** A YAML null: {@code ~}, {@code null}, or a key with nothing after it. */
  record Null(int line) implements Node {
    @Override
    public String kind() {
      return "an empty value";
    }
  }

  /**
   * A value whose problem has already been reported (an unset variable, say). Readers skip it
   * without a second message, and a required key holding it does not count as missing.
   */
  record Invalid(int line) implements Node {
    @Override
    public String kind() {
      return "an invalid value";
    }
  }

  /** Keys in file order; duplicates were reported and dropped (the first one is kept). */
  record Mapping(int line, List<Entry> entries) implements Node {
    public Mapping {
      entries = List.copyOf(entries);
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  record Entry(String key, int line, Node value) {}

  record Sequence(int line, List<Node> items) implements Node {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }
}
