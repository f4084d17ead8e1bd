package gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys {@code auth.jwt} and {@code auth.introspection} entries share about the claims of an
 * accepted token: {@code roles_claim}, {@code allowed_clients}, {@code max_token_lifetime}.
 */
final class ClaimRulesReader {
  private ClaimRulesReader() {}

  static final Shape ROLES_CLAIM = Shape.anyOf(Shape.text(), Shape.nonEmptyListOf(Shape.text()));
  static final Shape ALLOWED_CLIENTS = Shape.nonEmptyListOf(Shape.text());

  /**
   * {@code roles_claim}: one path, or a list of paths whose roles are joined; {@code [role]} when
   * absent. Each must be a {@link ClaimPaths claim path}.
   */
  static List<String> rolesClaims(Reader reader, Fields f) {
    Optional<Node> node = f.node("roles_claim");
    if (node.isEmpty()) return List.of("role");
    ClaimPaths.check(reader, node.get(), f.pathOf("roles_claim"));
    if (!(node.get() instanceof Node.Sequence)) return f.text("roles_claim").map(List::of).orElse(List.of("role"));
    List<String> paths = distinct(reader, f, "roles_claim");
    if (paths.isEmpty() && ((Node.Sequence) node.get()).items().isEmpty()) {
      reader.problems.add(node.get(), f.pathOf("roles_claim"), "must not be empty (leave it out to read roles from 'role')");
    }
    return paths.isEmpty() ? List.of("role") : paths;
  }

  /** {@code allowed_clients} and {@code max_token_lifetime}. */
  static TokenRules tokenRules(Reader reader, Fields f) {
    List<String> clients = List.of();
    if (f.has("allowed_clients")) {
      clients = distinct(reader, f, "allowed_clients");
      if (f.node("allowed_clients").get() instanceof Node.Sequence s && s.items().isEmpty()) {
        reader.problems.add(s, f.pathOf("allowed_clients"), "must not be empty (leave it out to accept every client)");
      }
    }
    Optional<Duration> lifetime = f.duration("max_token_lifetime", true);
    return new TokenRules(clients, lifetime);
  }

  /** A list of non-empty strings, each given once. */
  private static List<String> distinct(Reader reader, Fields f, String key) {
    List<String> out = new ArrayList<>();
    Optional<List<Node>> items = f.list(key);
    if (items.isEmpty()) return out;
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.get().size(); i++) {
      Node item = items.get().get(i);
      String path = f.pathOf(key) + "[" + i + "]";
      Optional<String> text = reader.text(item, path);
      if (text.isEmpty()) continue;
      Integer first = seen.putIfAbsent(text.get(), item.line());
      if (first != null) {
        reader.problems.add(item, path, Reader.shown(item) + " is already listed (line " + first + ")");
      } else {
        out.add(text.get());
      }
    }
    return out;
  }
}
