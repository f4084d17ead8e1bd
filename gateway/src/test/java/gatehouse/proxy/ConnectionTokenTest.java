package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * How {@link Exchange#reusable} reads lists: {@link Exchange#hasToken} for {@code Connection: ...,
 * close}, {@link Exchange#endsWithToken} for a {@code Transfer-Encoding} whose final coding is chunked.
 */
class ConnectionTokenTest {

  /** A list's elements as a sender may spell them: tokens in any case with optional whitespace around them. */
  @Provide
  Arbitrary<List<String>> elements() {
    Arbitrary<String> token =
        Arbitraries.of("close", "keep-alive", "upgrade", "te", "x-close", "closed", "clos", "", "chunked", "gzip", "xchunked");
    Arbitrary<String> ows = Arbitraries.of("", " ", "\t", "  ");
    Arbitrary<Boolean> upper = Arbitraries.of(true, false);
    return Combinators.combine(ows, token, upper, ows)
        .as((before, t, up, after) -> before + (up ? t.toUpperCase(Locale.ROOT) : t) + after)
        .list().ofMinSize(1).ofMaxSize(5);
  }

  @Property
  void aTokenIsFoundExactlyWhenOneElementIsItIgnoringCaseAndWhitespace(
      @ForAll("elements") List<String> elements, @ForAll("tokens") String token) {
    String value = String.join(",", elements);
    boolean expected = elements.stream().anyMatch(e -> e.strip().equalsIgnoreCase(token));
    assertEquals(expected, Exchange.hasToken(value, token), "'" + value + "' has '" + token + "'");
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.of("close", "keep-alive", "chunked");
  }

  @Property
  void aListEndsWithATokenExactlyWhenItsLastElementIsIt(
      @ForAll("elements") List<String> elements, @ForAll("tokens") String token) {
    String value = String.join(",", elements);
    boolean expected = elements.get(elements.size() - 1).strip().equalsIgnoreCase(token);
    assertEquals(expected, Exchange.endsWithToken(value, token), "'" + value + "' ends with '" + token + "'");
  }

  @Property(tries = 1)
  void noHeaderHasNoToken() {
    assertEquals(false, Exchange.hasToken(null, "close"));
  }
}
