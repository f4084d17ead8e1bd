package gatehouse.authn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path into a token's claims, compiled once at load.
 *
 * <p>Syntax: names separated by dots walk into nested objects ({@code realm_access.roles}). A name
 * that itself contains dots, slashes or brackets is written as a JSON string in brackets: {@code
 * ["https://example.com/roles"]}, {@code resource_access["my.app"].roles}. Inside the quotes,
 * {@code \"} and {@code \\} are the only escapes. A plain name may not contain {@code . [ ] "}.
 * There is no fallback: {@code https://example.com/roles} without brackets means the nested path
 * {@code "https://example"} then {@code "com/roles"}, so that one spelling has one meaning.
 */
public final class ClaimPath {
  private final String text;
  private final List<String> names;

  private ClaimPath(String text, List<String> names) {
    this.text = text;
    this.names = List.copyOf(names);
  }

  /**
   * Compiles {@code text}.
   *
   * @throws IllegalArgumentException with a message naming the position, for an invalid path
   */
  public static ClaimPath parse(String text) {
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
    return new ClaimPath(text, names);
  }

  private static IllegalArgumentException invalid(String text, int index, String why) {
    return new IllegalArgumentException("claim path '" + text + "': " + why + " at index " + index);
  }

  /** The names walked, outermost first. */
  public List<String> names() {
    return names;
  }

  /**
   * The value at this path, or empty when a name is missing, a step is not an object, or the
   * value is JSON {@code null}.
   */
  public Optional<Object> resolve(Map<String, Object> claims) {
    Object current = claims;
    for (String name : names) {
      if (!(current instanceof Map<?, ?> object)) return Optional.empty();
      current = object.get(name);
      if (current == null) return Optional.empty();
    }
    return Optional.of(current);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClaimPath p && p.names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  /** The path as written in config. */
  @Override
  public String toString() {
    return text;
  }
}
