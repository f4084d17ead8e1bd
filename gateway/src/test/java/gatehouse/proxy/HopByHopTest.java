package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HopByHopTest {
  @Test
  void everyHopByHopNameIsKnownInAnyCaseAndNothingElse() {
    for (String name : HopByHop.HEADERS) {
      assertTrue(HopByHop.isHopByHop(name), name);
      assertTrue(HopByHop.isHopByHop(name.toUpperCase(Locale.ROOT)), name);
    }
    assertTrue(HopByHop.isHopByHop("tE"));
    assertTrue(HopByHop.isHopByHop("Transfer-ENCODING"));
    for (String name : List.of("", "t", "ted", "Transfer-Encodings", "connection ", "X-Connection", "Upgrade-Insecure-Requests")) {
      assertFalse(HopByHop.isHopByHop(name), name);
    }
  }

  /**
   * The fields that are connection-specific by definition, listed here from the standards rather
   * than from {@link HopByHop#HEADERS}: RFC 9110 section 7.6.1, the Trailer announcement (RFC 9110
   * section 6.6.2), Proxy-Connection, the proxy authentication fields, and h2c's HTTP2-Settings
   * (RFC 7540 section 3.2.1). Each is dropped even when Connection does not name it.
   */
  @Test
  void everyFieldThatIsHopByHopByDefinitionIsDroppedWhateverConnectionSays() {
    List<String> byDefinition = List.of("Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade",
        "Trailer", "Proxy-Authenticate", "Proxy-Authorization", "HTTP2-Settings");
    for (String name : byDefinition) {
      assertTrue(HopByHop.isHopByHop(name), name);
      assertTrue(HopByHop.isHopByHop(name.toLowerCase(Locale.ROOT)), name);
      MultiMap upstream = MultiMap.caseInsensitiveMultiMap().add("Connection", "keep-alive").add(name, "x").add("X-Kept", "1");
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      HopByHop.copyResponse(upstream, false, out);
      assertEquals(List.of("X-Kept"), out.entries().stream().map(Map.Entry::getKey).toList(), name);
    }
  }

  @Test
  void theResponseKeepsEndToEndHeadersAndDropsHopByHopAndNamedOnes() {
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add("CONNECTION", "close, X-Internal")
        .add("x-internal", "1")
        .add("Keep-Alive", "timeout=5")
        .add("Set-Cookie", "a=1")
        .add("Set-Cookie", "b=2");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copyResponse(upstream, false, out);
    assertEquals(List.of("Content-Type", "Set-Cookie", "Set-Cookie"), out.entries().stream().map(Map.Entry::getKey).toList());
    assertEquals(List.of("a=1", "b=2"), out.getAll("set-cookie"));
  }

  @Test
  void aSingleKeepAliveOrCloseStillNamesItsHeader() {
    for (String connection : List.of("keep-alive", " Keep-Alive ", "close", "CLOSE")) {
      MultiMap upstream = MultiMap.caseInsensitiveMultiMap()
          .add("Connection", connection)
          .add("Close", "named by the Connection header")
          .add("Keep-Alive", "timeout=5")
          .add("X-Kept", "1");
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      HopByHop.copyResponse(upstream, false, out);
      boolean close = connection.trim().equalsIgnoreCase("close");
      assertEquals(close ? List.of("X-Kept") : List.of("Close", "X-Kept"),
          out.entries().stream().map(Map.Entry::getKey).toList(), connection);
    }
  }
}
