package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.config.ForwardingConfig;
import gatehouse.proxy.ForwardedHeaders.Hop;
import io.vertx.core.MultiMap;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

  private static final ForwardedHeaders TRUSTING_V6 =
      ForwardedHeaders.compile(new ForwardingConfig(List.of("2001:db8::/32")));

  private static MultiMap write(ForwardedHeaders headers, MultiMap client, Hop hop) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    headers.write(client, hop, out);
    return out;
  }

  @Test
  void anIpv6PeerIsQuotedAndBracketedInForwardedButPlainInXForwardedFor() throws Exception {
    Hop hop = new Hop(Optional.of(InetAddress.getByName("2001:db8::7")), "https", Optional.of("api.example"));

    MultiMap out = write(TRUSTING_V6, MultiMap.caseInsensitiveMultiMap(), hop);

    assertEquals("2001:db8:0:0:0:0:0:7", out.get("X-Forwarded-For"));
    assertEquals("for=\"[2001:db8:0:0:0:0:0:7]\";proto=https;host=api.example", out.get("Forwarded"));
    assertEquals("https", out.get("X-Forwarded-Proto"));
  }

  @Test
  void aTrustedIpv6PeersListsAreAppendedTo() throws Exception {
    MultiMap client =
        MultiMap.caseInsensitiveMultiMap()
            .add("X-Forwarded-For", "203.0.113.1, 198.51.100.2")
            .add("Forwarded", "for=203.0.113.1")
            .add("Forwarded", "for=198.51.100.2;proto=https");
    Hop hop = new Hop(Optional.of(InetAddress.getByName("2001:db8::1")), "http", Optional.empty());

    MultiMap out = write(TRUSTING_V6, client, hop);

    assertEquals("203.0.113.1, 198.51.100.2, 2001:db8:0:0:0:0:0:1", out.get("X-Forwarded-For"));
    assertEquals(
        "for=203.0.113.1, for=198.51.100.2;proto=https, for=\"[2001:db8:0:0:0:0:0:1]\";proto=http",
        out.get("Forwarded"));
    assertEquals(List.of(), out.getAll("X-Forwarded-Host"));
  }

  @Test
  void anUnknownPeerIsNamedUnknown() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.1");

    MultiMap out = write(TRUSTING_V6, client, new Hop(Optional.empty(), "http", Optional.of("a")));

    assertEquals("unknown", out.get("X-Forwarded-For"));
    assertEquals("for=unknown;proto=http;host=a", out.get("Forwarded"));
  }

  @Test
  void aHostThatIsNotATokenIsQuoted() {
    assertEquals("api.example", ForwardedHeaders.value("api.example"));
    assertEquals("\"api.example:8443\"", ForwardedHeaders.value("api.example:8443"));
    assertEquals("\"[::1]:8080\"", ForwardedHeaders.value("[::1]:8080"));
    assertEquals("\"a\\\"b\"", ForwardedHeaders.value("a\"b"));
  }
}
