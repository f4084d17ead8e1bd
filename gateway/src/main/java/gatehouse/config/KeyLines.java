package gatehouse.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The line each key of the file was written on, so that a problem found only after loading (a port
 * already taken, a certificate file that changed since it was read) is reported as {@code
 * file:line: key: message} like every other config problem.
 *
 * <p>Not part of the config's value: two configs whose keys differ only in the lines they are
 * written on are equal, so "did this part change?" never answers yes because a comment was added
 * above it.
 */
public final class KeyLines {
  private static final KeyLines NONE = new KeyLines(Map.of());

  private final Map<String, Integer> lines;

  private KeyLines(Map<String, Integer> lines) {
    this.lines = Map.copyOf(lines);
  }

  /** No lines known: a config built in code. {@link #of} then answers 1. */
  public static KeyLines none() {
    return NONE;
  }

  /** The lines of every key under {@code root}, by the paths the config's problems use ({@code auth.jwt[0].issuer}). */
  static KeyLines read(Node root) {
    Map<String, Integer> lines = new HashMap<>();
    walk(root, "", lines);
    return new KeyLines(lines);
  }

  private static void walk(Node node, String path, Map<String, Integer> lines) {
    if (node instanceof Node.Mapping m) {
      for (Node.Entry e : m.entries()) {
        String child = path.isEmpty() ? e.key() : path + "." + e.key();
        lines.putIfAbsent(child, e.line());
        walk(e.value(), child, lines);
      }
    } else if (node instanceof Node.Sequence s) {
      for (int i = 0; i < s.items().size(); i++) {
        String child = path + "[" + i + "]";
        lines.putIfAbsent(child, s.items().get(i).line());
        walk(s.items().get(i), child, lines);
      }
    }
  }

  /**
   * The line of {@code key}, else of the nearest enclosing key that is written (a default has no
   * line of its own: {@code listen.port} left out is reported at {@code listen}), else line 1.
   */
  public int of(String key) {
    for (String k = key; !k.isEmpty(); k = parent(k)) {
      Integer line = lines.get(k);
      if (line != null && line > 0) return line;
    }
    return 1;
  }

  private static String parent(String key) {
    int cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    return cut < 0 ? "" : key.substring(0, cut);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyLines;
  }

  @Override
  public int hashCode() {
    return 0;
  }

  @Override
  public String toString() {
    return "KeyLines[" + lines.size() + " keys]";
  }
}
