package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.MultiMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MayHaveBodyTest {
  /** Headers as {@code name=value} pairs separated by {@code ;}; whether the connection must close after a refusal. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                                          | false",
      "Content-Length=0                            | false",
      "Content-Length=5                            | true",
      "Content-Length=00                           | true",
      "Content-Length=0;Content-Length=0           | true",
      "Transfer-Encoding=chunked                   | true",
      "Transfer-Encoding=chunked;Content-Length=0  | true",
  })
  void onlyARequestThatCertainlyHasNoBodyKeepsItsConnection(String headers, boolean body) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (!headers.isEmpty()) {
      for (String pair : headers.split(";")) h.add(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    assertEquals(body, GatewayHandler.mayHaveBody(h));
  }
}
