package gatehouse.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code traceparent} as W3C Trace Context section 3.2 reads it: version 00 exactly, later versions as far as 00 goes. */
class TraceParentTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00f067aa0ba902b7";
  static final Pattern VERSION_00 = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // the spec's example, sampled and not
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01|01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00|00",
      // flags version 00 does not define are read, and cleared when forwarded (section 3.2.2.5)
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09|09",
      // a later version: read as far as version 00 goes, what follows a '-' ignored (section 3.2.4)
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01|01",
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like|01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-|00",
  })
  void aValidTraceparentIsReadAndForwardedAsVersion00(String header, String flags) {
    TraceParent parsed = TraceParent.parse(header).orElseThrow();
    assertEquals(TRACE, parsed.traceId());
    assertEquals(PARENT, parsed.parentId());
    assertEquals(Integer.parseInt(flags, 16), parsed.flags());
    assertEquals("00-" + TRACE + "-" + PARENT + "-0" + (Integer.parseInt(flags, 16) & 1), parsed.header());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "",
      "00",
      // version ff is forbidden; a version must be two lowercase hex digits
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // uppercase hex is not HEXDIGLC
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      // all-zero ids are invalid
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      // wrong lengths
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001",
      // non-hex characters
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1",
      // wrong delimiters, spaces inside
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "00 -4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7-01",
      // version 00 is exactly 55 characters: nothing may follow, not even a '-'
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
      // a later version: what follows the flags must start with '-'
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like",
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-010",
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
      "cc-00000000000000000000000000000000-00f067aa0ba902b7-01-x",
      // two values joined by a proxy that combined two header lines
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  })
  void anInvalidTraceparentIsRefused(String header) {
    assertEquals(Optional.empty(), TraceParent.parse(header));
  }

  @Property
  void anythingAcceptedRoundTripsAndIsForwardedWellFormed(@ForAll("nearlyTraceparents") String header) {
    TraceParent.parse(header).ifPresent(p -> {
      assertTrue(VERSION_00.matcher(p.header()).matches(), p.header());
      assertEquals(p.traceId(), header.substring(3, 35));
      assertEquals(p.parentId(), header.substring(36, 52));
      TraceParent again = TraceParent.parse(p.header()).orElseThrow(() -> new AssertionError("refused its own " + p.header()));
      assertEquals(new TraceParent(p.traceId(), p.parentId(), p.flags() & TraceParent.SAMPLED), again);
      if (header.startsWith("00-") && (p.flags() & ~TraceParent.SAMPLED) == 0) assertEquals(header, p.header());
    });
  }

  @Property
  void anyVersion00OfLowercaseNonZeroIdsIsAccepted(@ForAll("ids32") String traceId, @ForAll("ids16") String parentId,
      @ForAll boolean sampled) {
    String header = TraceParent.format(traceId, parentId, sampled);
    assertEquals(Optional.of(new TraceParent(traceId, parentId, sampled ? 1 : 0)), TraceParent.parse(header));
  }

  /** Strings shaped like traceparents, one character class off here and there: most valid, many not. */
  @Provide
  Arbitrary<String> nearlyTraceparents() {
    Arbitrary<String> version = Arbitraries.of("00", "00", "01", "cc", "fe", "ff", "0A", "g0", "0");
    Arbitrary<String> traceId = Arbitraries.oneOf(ids(32), Arbitraries.strings().withChars("0123456789abcdefABg- ").ofMinLength(30).ofMaxLength(34));
    Arbitrary<String> parentId = Arbitraries.oneOf(ids(16), Arbitraries.strings().withChars("0123456789abcdefABg- ").ofMinLength(14).ofMaxLength(18));
    Arbitrary<String> flags = Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789abcdef").ofLength(2),
        Arbitraries.strings().withChars("0123456789abcdefAFg-.").ofMinLength(0).ofMaxLength(3));
    Arbitrary<String> tail = Arbitraries.of("", "", "-", "-future", ".x", "0", " ");
    Arbitrary<String> separator = Arbitraries.of("-", "-", "-", "-", "_");
    return Combinators.combine(version, separator, traceId, parentId, flags, tail)
        .as((v, s, t, p, f, rest) -> v + s + t + "-" + p + "-" + f + rest);
  }

  @Provide
  Arbitrary<String> ids32() {
    return ids(32);
  }

  @Provide
  Arbitrary<String> ids16() {
    return ids(16);
  }

  private static Arbitrary<String> ids(int length) {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(length).filter(s -> !s.matches("0+"));
  }
}
