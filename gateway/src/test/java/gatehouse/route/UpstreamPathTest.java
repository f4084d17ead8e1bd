package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamPathTest {

  @ParameterizedTest(name = "strip {0}, add {1}: {2} -> {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "-, -, /api/public/x?q=1, /api/public/x?q=1",
        "/api/public, -, /api/public/x, /x",
        "/api/public/, -, /api/public/x, /x",
        "/api/public, -, /api/public/, /",
        "/api/public, -, /api/public, /",
        "/api/public, -, /api/public?a=b, /?a=b",
        "/api/public, /v2, /api/public/x, /v2/x",
        "/api/public, /v2/, /api/public/x, /v2/x",
        "/api/public, /v2, /api/public/, /v2/",
        "/api/public, /v2, /api/public, /v2",
        "-, /v2, /x, /v2/x",
        "-, /v2, /, /v2/",
        "-, /, /x, /x",
        "/, -, /x, /x",
        "/, /v2, /x, /v2/x",
        "/api, -, /apix, /apix",
        "/api/public, /v2, /api/public/a%2Db?x=%2F, /v2/a-b?x=%2F",
      })
  void stripThenAddPrefixKeepingSlashesAndQuery(String strip, String add, String raw, String upstream) {
    RequestTarget target = TargetParserTest.parsed(raw);
    Routes route = Routes.regex(".*");
    if (strip != null) route.stripPrefix(strip);
    if (add != null) route.addPrefix(add);
    // The query is the credential stage's (owned parameters removed); here none are, so it stays as sent.
    assertEquals(upstream, UpstreamPath.path(route.build(), target.path()) + target.rawQuery().map(q -> "?" + q).orElse(""));
  }
}
