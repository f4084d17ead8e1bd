package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvSubstitutionTest {
  private static final Map<String, String> ENV = Map.of("HOST", "orders", "EMPTY", "", "NESTED", "${HOST}");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "plain|plain|false",
      "http://${HOST}:9000|http://orders:9000|true",
      "${UNSET:-fallback}|fallback|true",
      "${EMPTY:-fallback}|fallback|true",
      "${EMPTY}x|x|true",
      "${UNSET:-}|''|true",
      "${HOST}${HOST}|ordersorders|true",
      "$${HOST}|${HOST}|false",
      "cost: $5|cost: $5|false",
      "${NESTED}|${HOST}|true",
      "${UNSET:-a:-b}|a:-b|true"})
  void expands(String text, String expected, boolean fromEnv) {
    assertEquals(new EnvSubstitution.Expanded(expected, fromEnv), EnvSubstitution.expand(text, ENV::get));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "${UNSET}|environment variable UNSET is not set",
      "x${HOST|unterminated '${' (write '$${' for a literal '${')",
      "${}|invalid variable reference '${}' (expected ${NAME} or ${NAME:-default})",
      "${1X}|invalid variable reference '${1X}' (expected ${NAME} or ${NAME:-default})",
      "${A-b}|invalid variable reference '${A-b}' (expected ${NAME} or ${NAME:-default})"})
  void failsNamingTheVariableOnly(String text, String message) {
    assertEquals(new EnvSubstitution.Failed(message), EnvSubstitution.expand(text, ENV::get));
  }
}
