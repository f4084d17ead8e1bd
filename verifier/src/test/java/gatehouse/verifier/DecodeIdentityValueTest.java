package gatehouse.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GatehouseVerifier#decodeIdentityValue}: the README's examples back, and what the gateway never sends refused. */
class DecodeIdentityValueTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alice|alice",
      "Jos%C3%A9|José",
      "%E7%94%A8%E6%88%B7A|用户A",
      "%E5%BC%A0%E4%B8%89A|张三A",
      "Ada%20Lovelace|Ada Lovelace",
      "a%2Bb=c|a+b=c",
      "100%25|100%",
      "a%2Cb|a,b",
      "%F0%9F%98%80|😀"})
  void theReadmeExamplesDecodeToTheVerifiedValue(String sent, String value) {
    assertEquals(value, GatehouseVerifier.decodeIdentityValue(sent));
  }

  @Test
  void controlCharactersAndTheEmptyValueComeBackAsSent() {
    assertEquals("line\r\nX-Admin: yes", GatehouseVerifier.decodeIdentityValue("line%0D%0AX-Admin:%20yes"));
    assertEquals("\u0000", GatehouseVerifier.decodeIdentityValue("%00"));
    assertEquals("", GatehouseVerifier.decodeIdentityValue(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "Jos\u00e9", "用户", "a\tb", "%", "%4", "%G1", "%E9", "%C3", "%ED%A0%80", "%C0%AF", "%F4%90%80%80"})
  void whatTheGatewayNeverSendsIsRefused(String value) {
    assertThrows(IllegalArgumentException.class, () -> GatehouseVerifier.decodeIdentityValue(value));
  }
}
