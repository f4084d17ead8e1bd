package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/** Invariants of {@link TargetParser} over paths built from the characters that cause trouble. */
class TargetParserPropertiesTest {

  private static final String HOST = "example.com";

  /**
   * Mostly origin-form paths from harmless pieces, with troublemakers mixed in often enough that
   * about a third of the samples parse and the rest exercise every refusal.
   */
  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> plain =
        Arbitraries.of(
            "/", "/", "/", ".", "..", "2", "5", "e", "f", "F", "c", "0", "a", "-", "~", "%41",
            "%7e", "%2e", "%2E", "%25", "%20", "%C3%A9", "admin", "api");
    Arbitrary<String> risky =
        Arbitraries.of(
            "%", "%2", "%2f", "%2F", "%5c", "%5C", "%00", "%3b", "%C0%AE", "%EF%BC%8F", ";", "\\",
            " ", "?", "#", "%E2%80%8B");
    Arbitrary<String> atom = Arbitraries.frequencyOf(Tuple.of(12, plain), Tuple.of(1, risky));
    Arbitrary<String> body = atom.list().ofMaxSize(20).map(list -> String.join("", list));
    return Arbitraries.frequencyOf(Tuple.of(19, body.map(b -> "/" + b)), Tuple.of(1, body));
  }

  @Property(tries = 5000)
  void parseNeverThrowsAndAlwaysAnswers(@ForAll("paths") String raw) {
    Target result = TargetParser.parse(raw, HOST);
    assertNotNull(result);
    Statistics.collect(result instanceof Target.Ambiguous a ? a.code() : "parsed");
  }

  @Property(tries = 5000)
  void aParsedTargetParsesToItself(@ForAll("paths") String raw) {
    if (TargetParser.parse(raw, HOST) instanceof Target.Parsed parsed) {
      RequestTarget once = parsed.target();
      assertEquals(new Target.Parsed(once), TargetParser.parse(once.pathAndQuery(), HOST));
    }
  }

  @Property(tries = 5000)
  void aParsedPathHasNoAmbiguousPieces(@ForAll("paths") String raw) {
    if (TargetParser.parse(raw, HOST) instanceof Target.Parsed parsed) {
      String path = parsed.target().path();
      assertTrue(path.startsWith("/"), path);
      for (String bad : new String[] {"//", "/./", "/../", "%2F", "%5C", "%00", ";", "\\", "#"}) {
        assertFalse(path.toUpperCase().contains(bad), () -> path + " contains " + bad);
      }
      assertFalse(path.endsWith("/.") || path.endsWith("/.."), path);
    }
  }

  @Property(tries = 5000)
  void aLenientBackendSeesTheSameSegments(@ForAll("paths") String raw) {
    if (TargetParser.parse(raw, HOST) instanceof Target.Parsed parsed) {
      String[] segments = parsed.target().path().substring(1).split("/", -1);
      for (int i = 0; i < segments.length; i++) {
        String read = LenientBackend.readSegment(segments[i]);
        assertFalse(read.contains("/"), () -> String.join("/", segments) + " becomes a separator: " + read);
        assertFalse(read.equals(".") || read.equals(".."), () -> "becomes a dot segment: " + read);
        if (i < segments.length - 1) assertFalse(read.isEmpty(), "becomes an empty segment");
      }
    }
  }
}
