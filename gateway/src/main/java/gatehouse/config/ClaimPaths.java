package gatehouse.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The grammar of a claim path (a key of {@code claims}, {@code required_claims}, {@code roles_claim}):
 * the reader checks every path with it, and authenticators compile paths with it.
 *
 * <p>Syntax: names separated by dots walk into nested objects ({@code realm_access.roles}). A name
 * that itself contains dots, slashes or brackets is written as a JSON string in brackets: {@code
 * ["https://example.com/roles"]}, {@code resource_access["my.app"].roles}. Inside the quotes,
 * {@code \"} and {@code \\} are the only escapes. A plain name may not contain {@code . [ ] "}.
 * There is no fallback: {@code https://example.com/roles} without brackets means the nested path
 * {@code "https://example"} then {@code "com/roles"}, so that one spelling has one meaning.
 */
public final class ClaimPaths {
  private ClaimPaths() {}

  /** Why {@code text} is not a claim path, or empty when it is one. */
  static java.util.Optional<String> problem(String text) {
    try {
      names(text);
      return java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      return java.util.Optional.of(e.getMessage());
    }
  }

  /** Reports, at its line, each path of {@code node} (one text, or a list of them) that is not a claim path. */
  static void check(Reader reader, Node node, String path) {
    if (node instanceof Node.Sequence seq) {
      for (int i = 0; i < seq.items().size(); i++) {
        Node item = seq.items().get(i);
        String itemPath = path + "[" + i + "]";
        if (item instanceof Node.Scalar s && !s.text().isEmpty()) problem(s.text()).ifPresent(why -> reader.problems.add(item, itemPath, why));
      }
    } else if (node instanceof Node.Scalar s) {
      problem(s.text()).ifPresent(why -> reader.problems.add(node, path, why));
    }
  }

  /**
   * The names {@code text} walks, outermost first.
   *
   * @throws IllegalArgumentException with a message naming the position, for an invalid path
   */
  public static List<String> names(String text) {
    if (text == null || text.isEmpty()) throw new IllegalArgumentException("claim path is empty");
    List<String> names = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      if (text.charAt(i) == '[') {
        i++;
        if (i >= n || text.charAt(i) != '"') throw invalid(text, i, "expected '\"' after '['");
        i++;
        StringBuilder name = new StringBuilder();
        boolean closed = false;
        while (i < n) {
          char c = text.charAt(i++);
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= n) break;
            char e = text.charAt(i++);
            if (e != '"' && e != '\\') throw invalid(text, i - 1, "only \\\" and \\\\ may be escaped");
            name.append(e);
          } else {
            name.append(c);
          }
        }
        if (!closed) throw invalid(text, n, "unterminated quoted name");
        if (i >= n || text.charAt(i) != ']') throw invalid(text, i, "expected ']' after quoted name");
        i++;
        if (name.length() == 0) throw invalid(text, i - 1, "empty name");
        names.add(name.toString());
      } else {
        int start = i;
        while (i < n && "[].\"".indexOf(text.charAt(i)) < 0) i++;
        if (i == start) throw invalid(text, i, "expected a name");
        if (i < n && (text.charAt(i) == ']' || text.charAt(i) == '"')) {
          throw invalid(text, i, "'" + text.charAt(i) + "' is only allowed inside [\"...\"]");
        }
        names.add(text.substring(start, i));
      }
      if (i == n) break;
      char c = text.charAt(i);
      if (c == '.') {
        i++;
        if (i == n) throw invalid(text, i, "expected a name after '.'");
      } else if (c != '[') {
        throw invalid(text, i, "expected '.' or '['");
      }
    }
    return List.copyOf(names);
  }

  private static IllegalArgumentException invalid(String text, int index, String why) {
    return new IllegalArgumentException("claim path '" + text + "': " + why + " at index " + index);
  }

}
