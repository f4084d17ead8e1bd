package gatehouse.identity;

import gatehouse.authn.Identity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Stage 5's proof for the backend that a request came through the gateway. It sees the request as
 * it will be sent: method, the upstream's authority, the target with the url's base path, and the
 * final headers (identity headers set, client copies stripped).
 */
public interface UpstreamSigner {

  /**
   * The headers to add for this request. Called on an event loop once the upstream head is
   * complete; CPU only, never blocks, never fails for a request (key problems were found at load).
   *
   * @param header every value of an outgoing header, by name (case-insensitive); empty when absent
   */
  Map<String, String> sign(String method, String authority, String target, Function<String, List<String>> header,
      Optional<Identity> identity);

  /** Signs nothing: {@code sign: {mode: none}} and upstreams without {@code sign}. */
  UpstreamSigner NONE = (method, authority, target, header, identity) -> Map.of();
}
