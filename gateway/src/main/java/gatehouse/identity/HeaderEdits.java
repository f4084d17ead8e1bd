package gatehouse.identity;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The identity stage's plan for the headers sent upstream: first remove every client header the
 * gateway reserves (and the credential it consumed), then set the verified identity headers.
 *
 * @param reserved which header names clients may never send upstream
 * @param consumed header names (any case) to drop because the gateway consumed them: the
 *     {@code Authorization} of a verified bearer token (the API-key header is in {@code reserved})
 * @param set identity headers to set, after stripping
 */
public record HeaderEdits(ReservedHeaders reserved, Set<String> consumed, Map<String, String> set)
    implements Consumer<MultiMap> {

  public HeaderEdits {
    consumed = Set.copyOf(consumed);
    set = Map.copyOf(set);
  }

  /**
   * Applies the plan to {@code headers} in place: strip, then set. An empty value is not set: to a
   * backend and to signature verifiers an empty identity header means "absent" (see UpstreamSigners).
   */
  @Override
  public void accept(MultiMap headers) {
    List<String> doomed = new ArrayList<>();
    for (String name : headers.names()) {
      if (reserved.matches(name) || containsIgnoreCase(consumed, name)) doomed.add(name);
    }
    for (String name : doomed) headers.remove(name);
    set.forEach((name, value) -> {
      if (!value.isEmpty()) headers.set(name, value);
    });
  }

  private static boolean containsIgnoreCase(Set<String> names, String name) {
    for (String n : names) if (n.equalsIgnoreCase(name)) return true;
    return false;
  }
}
