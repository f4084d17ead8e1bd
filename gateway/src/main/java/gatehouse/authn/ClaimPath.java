package gatehouse.authn;

import gatehouse.config.ClaimPaths;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path into a token's claims, compiled once at load. The syntax is {@link ClaimPaths}'; the
 * config reader has checked every configured path with it.
 */
public final class ClaimPath {
  private final String text;
  private final List<String> names;

  private ClaimPath(String text, List<String> names) {
    this.text = text;
    this.names = List.copyOf(names);
  }

  /**
   * Compiles {@code text} ({@link ClaimPaths#names} holds the grammar the config reader checked).
   *
   * @throws IllegalArgumentException with a message naming the position, for an invalid path
   */
  public static ClaimPath parse(String text) {
    return new ClaimPath(text, ClaimPaths.names(text));
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
