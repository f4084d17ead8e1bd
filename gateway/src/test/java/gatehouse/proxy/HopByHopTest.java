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
