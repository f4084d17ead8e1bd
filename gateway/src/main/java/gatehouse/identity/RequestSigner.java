package gatehouse.identity;

import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Headers that prove one request's origin to the upstream (signatures, identity tokens): stage 6's
 * signer already bound to the request's identity ({@link UpstreamSigner#forRequest}), which the
 * proxy calls. Called on the event loop with the final method, {@code authority} (the upstream's
 * {@code host[:port]}, as sent in {@code Host}), {@code target} (as sent, base path included),
 * headers (read only) and, when {@link #contentDigestMaxBody} is set and the request has a
 * non-empty body, that whole body.
 */
public interface RequestSigner {
  Map<String, String> headersFor(String method, String authority, String target, MultiMap headers, Optional<byte[]> body);

  /**
   * When present, the body is buffered (at most this many bytes, else 413) and passed to {@link
   * #headersFor}, and the client's {@code Content-Digest} is removed before the signer sees the
   * headers. Empty: the body streams after the head, unseen by the signer.
   */
  default OptionalLong contentDigestMaxBody() {
    return OptionalLong.empty();
  }

  /** Signs nothing. */
  RequestSigner NONE = (method, authority, target, headers, body) -> Map.of();
}
