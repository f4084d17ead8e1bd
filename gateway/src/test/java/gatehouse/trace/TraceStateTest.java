package gatehouse.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tracestate} as W3C Trace Context section 3.3 reads it: forwarded as received when valid, dropped whole when not. */
class TraceStateTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "rojo=00f067aa0ba902b7",
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
      "rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE",
      "fw529a3039@dt=00f067aa0ba902b7",
      "a=1,,b=2",
      "a-b_c*d/e=x y",
  })
  void aValidListIsForwardedAsReceived(String list) {
    assertEquals(Optional.of(list), TraceState.parse(List.of(list)));
  }

  @Test
  void severalLinesAreOneList() {
    assertEquals(Optional.of("rojo=1,congo=2"), TraceState.parse(List.of("rojo=1", "congo=2")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "rojo",
      "Rojo=1",
      "1rojo=1",
      "rojo=1,rojo=2",
      "rojo=a,b",
      "rojo=a=b",
      "rojo=a,congo=",
      "@dt=1",
      "t@DT=1",
      ",",
  })
  void anInvalidListIsDroppedWhole(String list) {
    assertEquals(Optional.empty(), TraceState.parse(List.of(list)));
  }

  @Test
  void moreThan32MembersAreDroppedWhole() {
    String members = IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
    assertEquals(Optional.empty(), TraceState.parse(List.of(members)));
    String fewer = IntStream.range(0, 32).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
    assertEquals(Optional.of(fewer), TraceState.parse(List.of(fewer)));
  }
}
