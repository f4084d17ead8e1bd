package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Stage 6 hands the proxy its signer already bound to the request's identity. */
class RequestSignerTest {

  @Test
  void aBoundSignerSignsTheProxysHeadersExactlyAsTheSignerItselfWould() {
    HttpMessageSigner signer = ContentDigestTest.signer(OptionalLong.of(1024));
    Optional<Identity> alice = Optional.of(new Identity("alice", Scheme.JWT, "main", Set.of(), Set.of(), VerifiedClaims.NONE, Optional.empty()));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-User-Id", "alice");
    byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    RequestSigner bound = signer.forRequest(alice);

    assertEquals(signer.sign("POST", "a:1", "/p?q=1", name -> List.of("alice"), alice, Optional.of(body)),
        bound.headersFor("POST", "a:1", "/p?q=1", headers, Optional.of(body)));
    assertEquals(OptionalLong.of(1024), bound.contentDigestMaxBody());
  }

  @Test
  void anUpstreamThatSignsNothingGivesTheProxyTheNoneSigner() {
    assertSame(RequestSigner.NONE, UpstreamSigner.NONE.forRequest(Optional.empty()));
  }
}
