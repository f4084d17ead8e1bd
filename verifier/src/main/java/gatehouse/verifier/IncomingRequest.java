package gatehouse.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The parts of an incoming request the verifier reads: never the body.
 *
 * @param method the request method as received ({@code GET})
 * @param target the request-target as received: path and query ({@code /orders/7?full=1}), not
 *     decoded or normalised; the signature covers it byte for byte
 * @param headers every header field, names in any case, each with all its values in order
 */
public record IncomingRequest(String method, String target, Map<String, List<String>> headers) {

  public IncomingRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
    copy.replaceAll((name, values) -> List.copyOf(values));
    headers = java.util.Collections.unmodifiableMap(copy);
  }

  /** Every value of header {@code name} (case-insensitive), in order; empty when absent. */
  public List<String> header(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** The path part of {@link #target}: everything before the first {@code ?}. */
  String path() {
    int q = target.indexOf('?');
    String p = q < 0 ? target : target.substring(0, q);
    return p.isEmpty() ? "/" : p;
  }

  /** RFC 9421 section 2.2.7: {@code ?} and the query, or a lone {@code ?} when there is none. */
  String query() {
    int q = target.indexOf('?');
    return q < 0 ? "?" : target.substring(q);
  }
}
