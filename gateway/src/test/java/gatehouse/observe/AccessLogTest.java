package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private final AccessLog log = new AccessLog(Optional.of("api_key"));

  @Test
  void apiKeyQueryValuesAreRedactedInEverySpelling() {
    assertEquals("/a?x=1&api_key=REDACTED&y=2", log.redact("/a?x=1&api_key=gkey_secret&y=2"));
    assertEquals("/a?api%5Fkey=REDACTED", log.redact("/a?api%5Fkey=gkey_secret"));
    assertEquals("/a?api_key=REDACTED&api_key=REDACTED", log.redact("/a?api_key=1&api_key=2"));
    assertEquals("/a", log.redact("/a"));
  }

  @Test
  void latencyIsWrittenInMillisecondsWithTwoDecimals() {
    gatehouse.pipeline.RequestHead head = new gatehouse.pipeline.RequestHead("GET", "/x", "h", io.vertx.core.MultiMap.caseInsensitiveMultiMap());
    gatehouse.pipeline.Outcome rejected = new gatehouse.pipeline.Outcome.Reject(new gatehouse.pipeline.Rejection.NoRoute(), Optional.empty(), Optional.empty());
    assertEquals("id=1 method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=1.05",
        log.line("1", head, rejected, Optional.empty(), 1_049_999));
    assertEquals("id=1 method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=12.30",
        log.line("1", head, rejected, Optional.empty(), 12_300_000));
  }

  @Test
  void longValuesAreCutAt256CharactersCountingEscapes() {
    assertEquals("a".repeat(256) + "...", AccessLog.safe("a".repeat(300)));
    assertEquals("a".repeat(256), AccessLog.safe("a".repeat(256)));
    assertEquals("\\x0a".repeat(64), AccessLog.safe("\n".repeat(64)));
    assertEquals("-", AccessLog.safe(null));
  }

  @Test
  void controlCharactersAndQuotesCannotForgeLogFields() {
    assertEquals("a\\x0a status=200 \\x22", AccessLog.safe("a\n status=200 \""));
  }
}
