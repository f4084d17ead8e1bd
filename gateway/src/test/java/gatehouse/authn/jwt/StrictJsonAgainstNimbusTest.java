package gatehouse.authn.jwt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StrictJson} against the parser it replaced, Nimbus' {@code JSONObjectUtils.parse} after
 * the JDK's strict UTF-8 decode: whatever the new one accepts, the old one accepts with an equal
 * value of the same types, down to every nested value's class. On well-formed objects the two
 * agree both ways; the few inputs only the old one accepts are listed in {@link #onlyNimbusAccepts}.
 */
class StrictJsonAgainstNimbusTest {

  /** ParsedToken's JSON step before StrictJson, as it was. */
  static Map<String, Object> nimbus(byte[] utf8) {
    try {
      String text = UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
      return JSONObjectUtils.parse(text);
    } catch (ParseException | CharacterCodingException | RuntimeException e) {
      return null;
    }
  }

  /** What StrictJson accepts, Nimbus accepts, with the same value. Answers whether it was accepted. */
  static boolean neverLooserThanNimbus(byte[] input) {
    Map<String, Object> strict = StrictJson.object(input);
    if (strict == null) return false;
    Map<String, Object> old = nimbus(input);
    if (old == null) fail("accepted what Nimbus refuses: " + describe(input));
    assertSameValue(old, strict, "$", input);
    return true;
  }

  /** Equal, with the same class for every leaf and for every list; maps in the same member order. */
  static void assertSameValue(Object expected, Object actual, String path, byte[] input) {
    if (expected == null) {
      assertNull(actual, () -> path + " in " + describe(input));
    } else if (expected instanceof Map<?, ?> e) {
      Map<?, ?> a = assertInstanceOf(LinkedHashMap.class, actual, () -> path + " in " + describe(input));
      assertEquals(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), () -> path + " member order in " + describe(input));
      for (Object key : e.keySet()) {
        assertTrue(a.containsKey(key), () -> path + "." + key);
        assertSameValue(e.get(key), a.get(key), path + "." + key, input);
      }
    } else if (expected instanceof List<?> e) {
      assertNotNull(actual, () -> path + " in " + describe(input));
      assertEquals(expected.getClass(), actual.getClass(), () -> path + " in " + describe(input));
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), () -> path + " in " + describe(input));
      for (int i = 0; i < e.size(); i++) assertSameValue(e.get(i), a.get(i), path + "[" + i + "]", input);
    } else {
      assertNotNull(actual, () -> path + " in " + describe(input));
      assertEquals(expected.getClass(), actual.getClass(), () -> path + " in " + describe(input));
      assertEquals(expected, actual, () -> path + " in " + describe(input));
    }
    assertEquals(expected, actual);
  }

  static String describe(byte[] input) {
    String text = new String(input, UTF_8);
    return text.length() > 200 ? text.substring(0, 200) + "... (" + input.length + " bytes)" : text + " [" + HexFormat.of().formatHex(input, 0, Math.min(input.length, 60)) + "]";
  }

  static byte[] b(String text) {
    return text.getBytes(UTF_8);
  }

  /** Objects both accept: the values must come out alike. */
  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("empty object", b("{}")),
        Arguments.of("a typical header", b("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"2024-05-rsa\"}")),
        Arguments.of("a typical claims set", b("{\"iss\":\"https://idp.example\",\"sub\":\"u-123\",\"aud\":[\"api\",\"web\"],\"exp\":1767225600,"
            + "\"iat\":1767222000,\"nbf\":1767222000.5,\"scope\":\"read write\",\"roles\":[\"admin\"],\"email\":\"a@example.com\","
            + "\"email_verified\":true,\"realm_access\":{\"roles\":[\"x\",\"y\"]},\"act\":null}")),
        Arguments.of("integers at the edges of long", b("{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":9223372036854775808,"
            + "\"d\":-9223372036854775809,\"e\":10000000000000000000,\"f\":0,\"g\":-0,\"h\":2147483648,\"i\":-2147483649,\"j\":2147483647}")),
        Arguments.of("numbers with fractions and exponents", b("{\"a\":1.0,\"b\":1E2,\"c\":1e2,\"d\":1e+2,\"e\":1E-2,\"f\":-0.0,\"g\":0e0,\"h\":-0E0,"
            + "\"i\":1e-999,\"j\":1.7976931348623157e308,\"k\":4.9e-324,\"l\":123456789012345678901234567890.5,\"m\":0.1,\"n\":1e308}")),
        Arguments.of("huge integers that are finite as doubles", b("{\"a\":1" + "0".repeat(64) + ",\"b\":" + "7".repeat(300) + ",\"c\":-" + "3".repeat(308) + "}")),
        Arguments.of("2^64 as the whole integer part", b("{\"a\":18446744073709551616,\"b\":18446744073709551616.5,\"c\":-18446744073709551616e3}")),
        Arguments.of("a fraction of 1,000 digits", b("{\"a\":0." + "1".repeat(999) + "}")),
        Arguments.of("every escape", b("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u00E9\\u00e9\\uD83D\\uDE00\"}")),
        Arguments.of("escaped lone surrogates", b("{\"a\":\"\\ud800\",\"b\":\"\\udc00x\"}")),
        Arguments.of("escapes in names", b("{\"\\u0061\\n\":1,\"\":2,\"\\\"\":3}")),
        Arguments.of("raw non-ASCII", b("{\"é\":\"日本語 😀 \u2028 \u2029 \u007f \uFEFF \uFFFD\"}")),
        Arguments.of("empty containers", b("{\"a\":[],\"b\":{},\"c\":[[]],\"d\":[{}]}")),
        Arguments.of("nulls in arrays and objects", b("{\"a\":[null,null],\"b\":{\"c\":null}}")),
        Arguments.of("a leading BOM", b("\uFEFF{\"alg\":\"RS256\"}")),
        Arguments.of("whitespace everywhere", b(" \t\n\r{ \"a\" : [ 1 , { \"b\" : null } ] , \"c\" : \"d\" } \r\n\t ")),
        Arguments.of("deep nesting at the limit", b(StrictJsonTest.nested(StrictJson.MAX_DEPTH))),
        Arguments.of("many members", b(manyMembers(2000))));
  }

  static String manyMembers(int n) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i % 3 == 0 ? "\"v\"" : String.valueOf(i * 1.5));
    return s.append('}').toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void wellFormedObjectsComeOutAsNimbusReadsThem(String why, byte[] input) {
    assertNotNull(nimbus(input), "Nimbus accepts it");
    assertTrue(neverLooserThanNimbus(input), "StrictJson accepts it");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gatehouse.authn.jwt.StrictJsonTest#refused")
  void everyRefusalIsNeverLooserThanNimbus(String why, byte[] input) {
    neverLooserThanNimbus(input);
  }

  /** The inputs where the two differ: Nimbus takes them, StrictJson refuses them. */
  static Stream<Arguments> onlyNimbusAccepts() {
    return Stream.of(
        // Gson's object adapter checks duplicates only at the top level, and there only against a non-null earlier value.
        Arguments.of("duplicate key in a nested object, the last one wins in Nimbus", b("{\"a\":{\"b\":1,\"b\":2}}")),
        Arguments.of("duplicate key in an object in an array", b("{\"a\":[{\"b\":1,\"b\":2}]}")),
        Arguments.of("duplicate key after a null", b("{\"a\":{\"b\":null,\"b\":\"admin\"}}")),
        // Gson reads a Map from an array of [key, value] pairs too.
        Arguments.of("top-level array of key-value pairs", b("[[\"alg\",\"RS256\"],[\"kid\",\"k\"]]")),
        Arguments.of("top-level pairs with a number key", b("[[1,\"x\"]]")),
        // Gson's nesting limit is 255.
        Arguments.of("nesting one beyond the limit", b(StrictJsonTest.nested(StrictJson.MAX_DEPTH + 1))),
        Arguments.of("nesting of 255", b(StrictJsonTest.nested(255))),
        // Gson reads numbers up to its 1,024-character buffer; Jackson's limit is 1,000 digits.
        Arguments.of("a fraction of 1,001 digits", b("{\"a\":0." + "0".repeat(1000) + "1}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("onlyNimbusAccepts")
  void strictJsonRefusesWhatNimbusLetThrough(String why, byte[] input) {
    assertNotNull(nimbus(input), "Nimbus accepts it");
    assertNull(StrictJson.object(input));
  }

  // Random documents. Keys are chosen unique as decoded strings, then each spelled with or without
  // escapes, so that a generated object has no duplicate key however it is written.

  @Provide
  Arbitrary<String> documents() {
    return object(4);
  }

  private Arbitrary<String> value(int depth) {
    Arbitrary<String> leaf = Arbitraries.frequencyOf(
        Tuple.of(4, strings().map(StrictJsonAgainstNimbusTest::quote)),
        Tuple.of(4, numbers()),
        Tuple.of(1, Arbitraries.of("true", "false", "null")));
    if (depth == 0) return leaf;
    return Arbitraries.frequencyOf(
        Tuple.of(6, leaf),
        Tuple.of(1, Arbitraries.lazy(() -> object(depth - 1))),
        Tuple.of(1, Arbitraries.lazy(() -> array(depth - 1))));
  }

  private Arbitrary<String> object(int depth) {
    return Arbitraries.maps(strings(), value(depth)).ofMaxSize(6).flatMap(members -> {
      List<Arbitrary<String>> parts = new ArrayList<>();
      for (Map.Entry<String, String> m : members.entrySet()) {
        String name = quote(m.getKey());
        parts.add(Combinators.combine(whitespace(), whitespace(), whitespace())
            .as((w1, w2, w3) -> w1 + name + w2 + ":" + w3 + m.getValue()));
      }
      return Combinators.combine(parts).as(list -> "{" + String.join(",", list) + "}");
    }).flatMap(body -> Combinators.combine(whitespace(), whitespace()).as((a, z) -> a + body + z));
  }

  private Arbitrary<String> array(int depth) {
    return value(depth).list().ofMaxSize(5).flatMap(items ->
        whitespace().list().ofSize(items.size() + 1).map(ws -> {
          StringBuilder s = new StringBuilder("[");
          for (int i = 0; i < items.size(); i++) s.append(i == 0 ? "" : ",").append(ws.get(i)).append(items.get(i));
          return s.append(ws.get(items.size())).append(']').toString();
        }));
  }

  private static Arbitrary<String> whitespace() {
    return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("")), Tuple.of(1, Arbitraries.of(" ", "\t", "\n", "\r\n", "  ")));
  }

  /** Decoded string contents, from characters that are trouble: escapes, non-ASCII, supplementary. */
  private static Arbitrary<String> strings() {
    Arbitrary<String> piece = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(6)),
        Tuple.of(1, Arbitraries.of("\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u001f", "\u007f", "é", "日",
            "\u2028", "\uFEFF", "\uFFFD", "😀", "\uD800", "\uDFFF", "iss", "exp", "\u0061")),
        Tuple.of(1, Arbitraries.chars().all().map(String::valueOf)));
    return piece.list().ofMaxSize(5).map(l -> String.join("", l));
  }

  /** JSON text for {@code s}: control characters and quotes escaped, the rest sometimes as \\uXXXX. */
  private static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone = Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
          && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
      int style = (c * 31 + i) % 7; // deterministic per position, so shrinking keeps the spelling
      if (c == '"' || c == '\\') q.append('\\').append(c);
      else if (c == '\n' && style < 4) q.append("\\n");
      else if (c == '/' && style < 3) q.append("\\/");
      else if (c < 0x20 || lone || style == 0 && c > 0x7f && !Character.isSurrogate(c)) q.append(String.format(style % 2 == 0 ? "\\u%04x" : "\\u%04X", (int) c));
      else q.append(c);
    }
    return q.append('"').toString();
  }

  private static Arbitrary<String> numbers() {
    Arbitrary<String> digits = Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(25);
    Arbitrary<String> integer = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.longs().map(String::valueOf)),
        Tuple.of(1, Arbitraries.of("0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "2147483648", "18446744073709551616", "-18446744073709551616",
            "184467440737095516160", "1844674407370955161601", "36893488147419103232", "368934881474191032325",
            "1" + "0".repeat(64), "1" + "0".repeat(65), "1" + "0".repeat(70), "5" + "0".repeat(80))),
        Tuple.of(1, digits.map(d -> d.replaceFirst("^0+(?=.)", "")).flatMap(d -> Arbitraries.of(d, "-" + d))));
    Arbitrary<String> fraction = Combinators.combine(integer, digits).as((i, f) -> i + "." + f);
    Arbitrary<String> exponent = Combinators.combine(
            Arbitraries.frequencyOf(Tuple.of(1, integer), Tuple.of(1, fraction)),
            Arbitraries.of("e", "E", "e+", "E-", "e-"),
            Arbitraries.integers().between(0, 400))
        .as((m, e, x) -> m + e + x);
    return Arbitraries.frequencyOf(
        Tuple.of(4, integer),
        Tuple.of(2, fraction),
        Tuple.of(2, exponent),
        Tuple.of(2, Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("N") && !s.contains("I"))));
  }

  @Property(tries = 1000)
  void wellFormedObjectsAreReadAlikeBothWays(@ForAll("documents") String document) {
    byte[] input = b(document);
    boolean old = nimbus(input) != null;
    boolean strict = neverLooserThanNimbus(input);
    // The generator makes no duplicates, nests at most 5 deep and writes numbers under 1,000 characters:
    // the only refusals are numbers infinite as a double, which both refuse.
    assertEquals(old, strict, () -> "Nimbus " + (old ? "accepts" : "refuses") + " " + describe(input));
    Statistics.collect(strict ? "accepted" : "refused");
  }

  /** A well-formed object with a few edits from the characters and pieces parsers disagree on. */
  @Provide
  Arbitrary<byte[]> damaged() {
    Arbitrary<byte[]> edit = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "'", "/*", "*/", "//", "#", "0", "-", "+", ".", "e",
            "NaN", "Infinity", "1e999", "null", "true", "TRUE", "01", "\u0000", "\u0001", "\u000b", "\f", "\u00a0", "\uFEFF",
            "\\u", "\\x", "\\'", " ", "\n", "{}", "[]", "x", ",}", ",]", "\"a\":1", "\"a\":null").map(StrictJsonAgainstNimbusTest::b)),
        Tuple.of(1, Arbitraries.of(
            new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xC0, (byte) 0xA2}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, new byte[] {0})));
    return Combinators.combine(
            documents().map(StrictJsonAgainstNimbusTest::b),
            Combinators.combine(edit, Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 2))
                .as((bytes, at, cut) -> new Object[] {bytes, at, cut}).list().ofMinSize(1).ofMaxSize(3))
        .as((doc, edits) -> {
          byte[] out = doc;
          for (Object[] e : edits) {
            byte[] piece = (byte[]) e[0];
            int at = (int) ((double) e[1] * out.length);
            int cut = Math.min((int) e[2], out.length - at); // replace 0-2 bytes with the piece
            byte[] next = new byte[out.length - cut + piece.length];
            System.arraycopy(out, 0, next, 0, at);
            System.arraycopy(piece, 0, next, at, piece.length);
            System.arraycopy(out, at + cut, next, at + piece.length, out.length - at - cut);
            out = next;
          }
          return out;
        });
  }

  @Property(tries = 2000)
  void damagedObjectsAreNeverAcceptedWhereNimbusRefuses(@ForAll("damaged") byte[] input) {
    Statistics.collect(neverLooserThanNimbus(input) ? "accepted" : "refused");
  }
}
