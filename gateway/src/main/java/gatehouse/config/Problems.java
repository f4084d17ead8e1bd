package gatehouse.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem found in one file, so a user can fix them all in one pass. */
final class Problems {
  private final String file;
  private final List<ConfigException.Problem> found = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  void add(int line, String key, String message) {
    found.add(new ConfigException.Problem(file, line, key, message));
  }

  void add(Node node, String key, String message) {
    add(node.line(), key, message);
  }

  int size() {
    return found.size();
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  /** Throws, problems ordered by line (stable, so one line's problems keep their order). */
  void throwIfAny() throws ConfigException {
    if (found.isEmpty()) return;
    List<ConfigException.Problem> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparingInt(ConfigException.Problem::line));
    throw new ConfigException(sorted);
  }
}
