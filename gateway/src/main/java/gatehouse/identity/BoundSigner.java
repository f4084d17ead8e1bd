package gatehouse.identity;

import gatehouse.authn.Identity;
import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** An {@link UpstreamSigner} bound to one request's identity, in the shape the proxy calls. */
record BoundSigner(UpstreamSigner signer, Optional<Identity> identity) implements RequestSigner {

  @Override
  public Map<String, String> headersFor(String method, String authority, String target, MultiMap headers, Optional<byte[]> body) {
    return signer.sign(method, authority, target, headers::getAll, identity, body);
  }

  @Override
  public OptionalLong contentDigestMaxBody() {
    return signer.contentDigestMaxBody();
  }
}
