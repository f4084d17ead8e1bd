package gatehouse.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of an incoming request the verifier reads.
 *
 * @param method the request method as received ({@code GET})
 * @param target the request-target as received: path and query ({@code /orders/7?full=1}), not
 *     decoded or normalised; the signature covers it byte for byte
 * @param headers every header field, names in any case, each with all its values in order
 * @param body the body as received (not copied), when the backend wants it checked: give it when
 *     the gateway signs this upstream's bodies ({@code content_digest}). Then a signed {@code
 *     content-digest} must match it, and a non-empty body without one is refused. Empty: the body
 *     is not checked, and a signed {@code content-digest} cannot be verified (refused).
 */
public record IncomingRequest(String method, String target, Map<String, List<String>> headers, Optional<byte[]> body) {

  /** A request whose body is not checked. */
  public IncomingRequest(String method, String target, Map<String, List<String>> headers) {
    this(method, target, headers, Optional.empty());
  }

  public IncomingRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(body, "body");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
    copy.replaceAll((name, values) -> List.copyOf(values));
    headers = java.util.Collections.unmodifiableMap(copy);
  }

  /** This request with {@code body} (as received, not copied) to be checked against its {@code Content-Digest}. */
  public IncomingRequest withBody(byte[] body) {
    return new IncomingRequest(method, target, headers, Optional.of(body));
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
