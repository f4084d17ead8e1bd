package gatehouse.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "PT0S, 0ms",
      "PT0.0004S, 0ms",
      "PT0.25S, 250ms",
      "PT0.9994S, 999ms",
      "PT0.9996S, 1s",
      "PT1S, 1s",
      "PT1.5S, 1.5s",
      "PT9.94S, 9.9s",
      "PT9.96S, 10s",
      "PT55.004401998S, 55s",
      "PT59.6S, 1m",
      "PT1M30S, 1m30s",
      "PT10M, 10m",
      "PT1H, 1h",
      "PT24H, 24h",
      "PT25H0M1S, 25h1s",
      "PT-30S, -30s",
  })
  void readableUnits(String iso, String text) {
    assertEquals(text, Durations.text(Duration.parse(iso)));
  }

  @Property
  void neverIsoAndAlwaysEndsInAUnit(@ForAll @LongRange(min = -1_000_000_000_000_000L, max = 1_000_000_000_000_000L) long nanos) {
    String text = Durations.text(Duration.ofNanos(nanos));
    assertFalse(text.startsWith("PT") || text.contains("PT"), text);
    assertFalse(text.isEmpty());
    char last = text.charAt(text.length() - 1);
    assertEquals(true, last == 's' || last == 'm' || last == 'h', text);
  }

  @Property
  void extremesDoNotOverflow(@ForAll long seconds) {
    assertFalse(Durations.text(Duration.ofSeconds(seconds)).isEmpty());
  }
}
