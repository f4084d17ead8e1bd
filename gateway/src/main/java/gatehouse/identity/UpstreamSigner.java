package gatehouse.identity;

import gatehouse.authn.Identity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Stage 6's proof for the backend that a request came through the gateway. It sees the request as
 * it will be sent: method, the upstream's authority, the target with the url's base path, and the
 * final headers (identity headers set, client copies stripped).
 */
public interface UpstreamSigner {

  /**
   * The headers to add for this request. Called on an event loop once the upstream head is
   * complete; CPU only, never blocks, never fails for a request (key problems were found at load).
   *
   * @param header every value of an outgoing header, by name (case-insensitive); empty when absent
   * @param body the whole request body, when {@link #contentDigestMaxBody} is set and the request
   *     has a non-empty body (buffered by the proxy, at most that size); empty otherwise
   */
  Map<String, String> sign(String method, String authority, String target, Function<String, List<String>> header,
      Optional<Identity> identity, Optional<byte[]> body);

  /**
   * {@code content_digest.max_body}: when present, the proxy buffers request bodies up to this size
   * and passes them to {@link #sign}, answers 413 for larger ones, and strips the client's {@code
   * Content-Digest}. Empty (the default): bodies stream and are not covered.
   */
  default OptionalLong contentDigestMaxBody() {
    return OptionalLong.empty();
  }

  /**
   * This signer as the proxy calls it, for one request of {@code identity}: the proxy's outgoing
   * headers are read through {@link #sign}'s {@code header}. {@link #NONE} gives {@link
   * RequestSigner#NONE}, so the proxy can tell that nothing is signed.
   */
  default RequestSigner forRequest(Optional<Identity> identity) {
    return this == NONE ? RequestSigner.NONE : new BoundSigner(this, identity);
  }

  /** Signs nothing: {@code sign: {mode: none}} and upstreams without {@code sign}. */
  UpstreamSigner NONE = (method, authority, target, header, identity, body) -> Map.of();
}
