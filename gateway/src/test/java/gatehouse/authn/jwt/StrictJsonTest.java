package gatehouse.authn.jwt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@link StrictJson} accepts, as which types, and everything it refuses. */
class StrictJsonTest {

  /** {@code {"a":"<bytes>"}}: raw bytes inside a string, where a lenient UTF-8 decoder would take them. */
  static byte[] inString(int... bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"a\":\"".getBytes(UTF_8));
    for (int b : bytes) out.write(b);
    out.writeBytes("\"}".getBytes(UTF_8));
    return out.toByteArray();
  }

  static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  /** Each is refused by StrictJson; StrictJsonAgainstNimbusTest also runs them through Nimbus. */
  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("empty input", new byte[0]),
        Arguments.of("only whitespace", " \n".getBytes(UTF_8)),
        Arguments.of("duplicate key", b("{\"a\":1,\"a\":2}")),
        Arguments.of("duplicate key with the same value", b("{\"a\":1,\"a\":1}")),
        Arguments.of("duplicate key, the first null", b("{\"a\":null,\"a\":2}")),
        Arguments.of("duplicate key, both null", b("{\"a\":null,\"a\":null}")),
        Arguments.of("duplicate key spelled with an escape", b("{\"a\":1,\"\\u0061\":2}")),
        Arguments.of("duplicate key in a nested object", b("{\"a\":{\"b\":1,\"b\":2}}")),
        Arguments.of("duplicate key in an object in an array", b("{\"a\":[{\"b\":1,\"b\":2}]}")),
        Arguments.of("duplicate key three levels down", b("{\"a\":{\"b\":{\"c\":true,\"d\":1,\"c\":false}}}")),
        Arguments.of("trailing garbage", b("{\"a\":1} x")),
        Arguments.of("trailing brace", b("{\"a\":1}}")),
        Arguments.of("trailing bracket", b("{\"a\":1}]")),
        Arguments.of("trailing NUL", b("{\"a\":1}\u0000")),
        Arguments.of("trailing form feed", b("{\"a\":1}\f")),
        Arguments.of("a second object", b("{\"a\":1}{\"b\":2}")),
        Arguments.of("a second object after whitespace", b("{\"a\":1} {}")),
        Arguments.of("a second value", b("{\"a\":1} 2")),
        Arguments.of("top-level array", b("[1,2]")),
        Arguments.of("top-level array of key-value pairs", b("[[\"alg\",\"RS256\"]]")),
        Arguments.of("top-level string", b("\"x\"")),
        Arguments.of("top-level number", b("1")),
        Arguments.of("top-level true", b("true")),
        Arguments.of("top-level null", b("null")),
        Arguments.of("unterminated object", b("{\"a\":1")),
        Arguments.of("unterminated string", b("{\"a\":\"x}")),
        Arguments.of("unterminated array", b("{\"a\":[1}")),
        Arguments.of("block comment", b("{/* c */\"a\":1}")),
        Arguments.of("line comment", b("{\"a\":1 // c\n}")),
        Arguments.of("hash comment", b("{\"a\":1 # c\n}")),
        Arguments.of("single-quoted name", b("{'a':1}")),
        Arguments.of("single-quoted value", b("{\"a\":'x'}")),
        Arguments.of("unquoted name", b("{a:1}")),
        Arguments.of("NaN", b("{\"a\":NaN}")),
        Arguments.of("Infinity", b("{\"a\":Infinity}")),
        Arguments.of("-Infinity", b("{\"a\":-Infinity}")),
        Arguments.of("1e999, infinite as a double", b("{\"exp\":1e999}")),
        Arguments.of("-1e999", b("{\"exp\":-1e999}")),
        Arguments.of("an integer of 400 digits followed by e999", b("{\"a\":1" + "0".repeat(399) + "e999}")),
        Arguments.of("leading zero", b("{\"a\":01}")),
        Arguments.of("negative leading zero", b("{\"a\":-01}")),
        Arguments.of("leading plus", b("{\"a\":+1}")),
        Arguments.of("leading decimal point", b("{\"a\":.5}")),
        Arguments.of("trailing decimal point", b("{\"a\":1.}")),
        Arguments.of("exponent without digits", b("{\"a\":1e}")),
        Arguments.of("hexadecimal", b("{\"a\":0x10}")),
        Arguments.of("a fraction of 1,001 digits", b("{\"a\":0." + "0".repeat(1000) + "1}")),
        Arguments.of("1 and 65 zeros, which Gson reads as a leading zero", b("{\"a\":1" + "0".repeat(65) + "}")),
        Arguments.of("2^64 and one more digit, which Gson reads as a leading zero", b("{\"a\":184467440737095516160}")),
        Arguments.of("-2^64 and more digits, with a fraction", b("{\"a\":-1844674407370955161655.5}")),
        Arguments.of("3 * 2^64 and one more digit, with an exponent", b("{\"a\":553402322211286548481e-5}")),
        Arguments.of("TRUE in capitals", b("{\"a\":TRUE}")),
        Arguments.of("Null capitalised", b("{\"a\":Null}")),
        Arguments.of("trailing comma in an object", b("{\"a\":1,}")),
        Arguments.of("trailing comma in an array", b("{\"a\":[1,]}")),
        Arguments.of("missing value in an array", b("{\"a\":[1,,2]}")),
        Arguments.of("missing value", b("{\"a\":}")),
        Arguments.of("missing colon", b("{\"a\" 1}")),
        Arguments.of("raw NUL in a string", b("{\"a\":\"x\u0000y\"}")),
        Arguments.of("raw U+0001 in a string", b("{\"a\":\"\u0001\"}")),
        Arguments.of("raw tab in a string", b("{\"a\":\"x\ty\"}")),
        Arguments.of("raw newline in a string", b("{\"a\":\"x\ny\"}")),
        Arguments.of("raw U+001F in a name", b("{\"a\u001f\":1}")),
        Arguments.of("escaped single quote", b("{\"a\":\"\\'\"}")),
        Arguments.of("escaped x", b("{\"a\":\"\\x41\"}")),
        Arguments.of("escaped newline", b("{\"a\":\"\\\n\"}")),
        Arguments.of("short unicode escape", b("{\"a\":\"\\u41\"}")),
        // Jackson's char parser (2.18 to 2.22 at least) takes a character's low byte as the hex
        // digit: U+9961 reads as 'a', so this read as U+BABB; Gson and Jackson's byte parser refuse it.
        Arguments.of("unicode escape with a non-ASCII character among its hex digits", b("{\"a\":\"\\ub\u9961bb\"}")),
        Arguments.of("the same in a name", b("{\"\\ub\u9961bb\":1}")),
        Arguments.of("unicode escape with a fullwidth digit (U+FF11)", b("{\"a\":\"\\u00\uff11f\"}")),
        Arguments.of("vertical tab as whitespace", b("{\u000b\"a\":1}")),
        Arguments.of("no-break space as whitespace", b("{\u00a0\"a\":1}")),
        Arguments.of("a BOM after whitespace", b(" \uFEFF{\"a\":1}")),
        Arguments.of("two BOMs", b("\uFEFF\uFEFF{\"a\":1}")),
        Arguments.of("a BOM after the object", b("{\"a\":1}\uFEFF")),
        Arguments.of("a BOM alone", b("\uFEFF")),
        Arguments.of("invalid UTF-8: overlong '/' (C0 AF)", inString(0xC0, 0xAF)),
        Arguments.of("invalid UTF-8: overlong '/' in three bytes (E0 80 AF)", inString(0xE0, 0x80, 0xAF)),
        Arguments.of("invalid UTF-8: overlong '\"' ends the string early for a lenient decoder", inString(0xC0, 0xA2, '}')),
        Arguments.of("invalid UTF-8: encoded surrogate, CESU-8 (ED A0 80)", inString(0xED, 0xA0, 0x80)),
        Arguments.of("invalid UTF-8: CESU-8 surrogate pair", inString(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)),
        Arguments.of("invalid UTF-8: truncated sequence (E2 82)", inString(0xE2, 0x82)),
        Arguments.of("invalid UTF-8: truncated at the end of input", new byte[] {'{', '}', (byte) 0xE2, (byte) 0x82}),
        Arguments.of("invalid UTF-8: F5 lead byte", inString(0xF5, 0x80, 0x80, 0x80)),
        Arguments.of("invalid UTF-8: over U+10FFFF (F4 90 80 80)", inString(0xF4, 0x90, 0x80, 0x80)),
        Arguments.of("invalid UTF-8: FF", inString(0xFF)),
        Arguments.of("invalid UTF-8: a lone continuation byte", inString(0x80)),
        Arguments.of("UTF-16BE", new byte[] {0, '{', 0, '}'}),
        Arguments.of("UTF-16LE with its BOM", new byte[] {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0}),
        Arguments.of("nesting one level beyond the limit", b(nested(StrictJson.MAX_DEPTH + 1))),
        Arguments.of("arrays nested beyond the limit", b("{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH) + "}")),
        Arguments.of("nesting far beyond the limit", b("{\"a\":" + "[".repeat(100_000))));
  }

  static byte[] b(String text) {
    return text.getBytes(UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void malformedOrAmbiguousJsonIsRefused(String why, byte[] input) {
    assertNull(StrictJson.object(input), why);
  }

  @Test
  void eachKindOfValueHasTheTypeNimbusGivesIt() {
    Map<String, Object> json = StrictJson.object(b(
        "{\"s\":\"x\\u00e9\\n\",\"t\":true,\"f\":false,\"n\":null,\"i\":1700000000,\"neg\":-5,\"minus0\":-0,"
            + "\"max\":9223372036854775807,\"min\":-9223372036854775808,\"big\":9223372036854775808,"
            + "\"d\":1.0,\"e\":1E2,\"negzero\":-0.0,\"tiny\":1e-999,\"a\":[1,\"x\",null,[]],\"o\":{\"k\":{}}}"));
    assertNotNull(json);
    assertInstanceOf(LinkedHashMap.class, json);
    assertEquals(List.of("s", "t", "f", "n", "i", "neg", "minus0", "max", "min", "big", "d", "e", "negzero", "tiny", "a", "o"),
        new ArrayList<>(json.keySet()), "members in document order");
    assertEquals("xé\n", json.get("s"));
    assertEquals(Boolean.TRUE, json.get("t"));
    assertEquals(Boolean.FALSE, json.get("f"));
    assertTrue(json.containsKey("n"));
    assertNull(json.get("n"));
    assertEquals(Long.valueOf(1700000000L), json.get("i"), "a small integer is a Long, never an Integer");
    assertEquals(Long.valueOf(-5), json.get("neg"));
    assertEquals(Long.valueOf(0), json.get("minus0"), "-0 is Long.parseLong(\"-0\")");
    assertEquals(Long.MAX_VALUE, json.get("max"));
    assertEquals(Long.MIN_VALUE, json.get("min"));
    assertEquals(Double.valueOf(9223372036854775808.0), json.get("big"), "an integer beyond long is a Double");
    assertEquals(Double.valueOf(1.0), json.get("d"), "1.0 stays a Double");
    assertEquals(Double.valueOf(100.0), json.get("e"));
    assertEquals(Double.valueOf(-0.0), json.get("negzero"));
    assertEquals(Double.valueOf(0.0), json.get("tiny"), "underflow is zero, not an error");
    assertEquals(Arrays.asList(1L, "x", null, List.of()), json.get("a"));
    assertInstanceOf(ArrayList.class, json.get("a"));
    assertEquals(Map.of("k", Map.of()), json.get("o"));
    assertInstanceOf(LinkedHashMap.class, json.get("o"));
  }

  @Test
  void nestingUpToTheLimitIsRead() {
    assertNotNull(StrictJson.object(b(nested(StrictJson.MAX_DEPTH))));
    assertNotNull(StrictJson.object(b("{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH - 1) + "]".repeat(StrictJson.MAX_DEPTH - 1) + "}")));
  }

  @Test
  void oneLeadingByteOrderMarkIsSkippedAsNimbusSkipsIt() {
    assertEquals(Map.of("a", 1L), StrictJson.object(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '"', 'a', '"', ':', '1', '}'}));
  }

  @Test
  void whitespaceAroundTheObjectAndTokensIsAllowed() {
    assertEquals(Map.of("a", List.of(1L, 2L)), StrictJson.object(b(" \t\r\n{ \"a\" :\n[ 1 ,\t2 ] }\r\n ")));
  }

  @Test
  void aNumberOfAThousandCharactersIsRead() {
    assertEquals(Map.of("a", 0.0), StrictJson.object(b("{\"a\":0." + "0".repeat(998) + "}")));
  }

  @Test
  void everyLeniencyJacksonOffersIsOff() throws Exception {
    try (JsonParser p = StrictJson.FACTORY.createParser("{}")) {
      for (JsonParser.Feature f : JsonParser.Feature.values()) {
        if (f.name().startsWith("ALLOW_")) assertFalse(p.isEnabled(f), f.name());
      }
    }
    assertFalse(StrictJson.FACTORY.isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES));
    assertFalse(StrictJson.FACTORY.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES));
    assertFalse(StrictJson.FACTORY.isEnabled(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION));
    StreamReadConstraints limits = StrictJson.FACTORY.streamReadConstraints();
    assertEquals(1000, limits.getMaxNumberLength());
    assertEquals(50_000, limits.getMaxNameLength());
    assertEquals(20_000_000, limits.getMaxStringLength());
  }
}
