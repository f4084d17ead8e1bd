package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Envoy's premature-reset test with a count of 50; the connections themselves are in {@code Http2IT}. */
class PrematureResetsTest {
  @ParameterizedTest(name = "{0} premature resets among {1} streams: closed {2}")
  @CsvSource({
      "49, 49, false", // every stream reset, but fewer than 50
      "50, 50, true", // the 50th, all of them
      "50, 100, true", // exactly half
      "50, 101, false", // fewer than half
      "60, 160, false", // a client that cancels some among many answered
      "100, 200, true",
      "1000, 1999, true",
      "1000, 2001, false"})
  void aConnectionIsClosedAtFiftyPrematureResetsThatAreHalfItsStreams(int premature, int streams, boolean closed) {
    assertEquals(closed, PrematureResets.tooMany(premature, streams));
  }
}
