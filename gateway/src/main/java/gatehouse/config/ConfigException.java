package gatehouse.config;

import java.util.List;

/**
 * The configuration is invalid. Each {@link Problem} names the file, line and key, formatted as
 * {@code gatehouse.yaml:14: routes[2].policy: unknown policy 'jtw' (expected public, jwt, api_key,
 * any)}.
 */
public final class ConfigException extends Exception {
  private final List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(format(problems));
    if (problems.isEmpty()) throw new IllegalArgumentException("problems is empty");
    this.problems = List.copyOf(problems);
  }

  public ConfigException(Problem problem) {
    this(List.of(problem));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String format(List<Problem> problems) {
    StringBuilder out = new StringBuilder();
    for (Problem p : problems) {
      if (out.length() > 0) out.append('\n');
      out.append(p);
    }
    return out.toString();
  }

  /**
   * One thing wrong with the config; {@code line} is 1-based, or 0 for the file as a whole (it
   * cannot be read), which is printed without a line: {@code gatehouse.yaml: file not found}.
   */
  public record Problem(String file, int line, String key, String message) {
    /** A problem with the file as a whole, which has no line. */
    static Problem ofFile(String file, String message) {
      return new Problem(file, 0, "", message);
    }

    @Override
    public String toString() {
      return file + (line > 0 ? ":" + line : "") + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
  }
}
