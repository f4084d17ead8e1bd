package gatehouse.authn.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JOSE header or a JWT claims set: one JSON object (RFC 8259) in UTF-8, on Jackson's
 * streaming parser. It returns the value types Nimbus' {@code JSONObjectUtils.parse} (Gson,
 * strict, {@code ToNumberPolicy.LONG_OR_DOUBLE}) returns, so that Nimbus' {@code JWSHeader.parse}
 * and our claim checks see the same values: objects are {@code Map<String, Object>} in member
 * order, arrays {@code ArrayList}, strings {@code String}, {@code true}/{@code false} {@code
 * Boolean}, {@code null} a null entry, an integer that fits a {@code long} a {@code Long}, and any
 * other number a finite {@code Double}. Where the two differ, this one refuses what Nimbus takes:
 * a duplicate key below the top level or beside a null, a top-level array of key-value pairs,
 * nesting beyond {@value #MAX_DEPTH} levels, a number of over 1,000 digits, a name of over 50,000
 * characters.
 */
final class StrictJson {
  /** Containers, the top-level object included. JWT headers and claims nest a few levels at most. */
  static final int MAX_DEPTH = 64;

  /**
   * Built once; a {@link JsonFactory} is thread-safe once configured. Every choice is stated, so
   * neither a new Jackson default nor a process-wide override can loosen it.
   */
  static final JsonFactory FACTORY = new JsonFactoryBuilder()
      // RFC 8259 grammar only. These are Jackson's defaults; each would accept text Gson's strict
      // mode refuses. One call per feature: in Jackson 2.18, disable(first, other...) ENABLES the
      // others (JsonFactoryBuilder calls _legacyEnable for them).
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS) // /* */ and //
      .disable(JsonReadFeature.ALLOW_YAML_COMMENTS) // #
      .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
      .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
      .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS) // U+0000..U+001F raw in a string
      .disable(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER) // only the escapes RFC 8259 section 7 lists
      .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // NaN, Infinity
      .disable(JsonReadFeature.ALLOW_MISSING_VALUES) // [1,,2]
      .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      // Duplicate keys are refused by readObject, at every level, in the same put that stores the
      // member; Jackson's detector would only repeat that work.
      .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // No piece of a token in an exception's message, though none leaves this class.
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      // Names are plain new strings: no symbol table shared between requests that attacker-chosen
      // names fill (and that throws once its hash chains grow long), and no String.intern.
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      // Jackson 2.18's defaults, written out because JsonFactory would otherwise take the
      // process-wide defaults, which any library may override. The depth bound is readObject's.
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(1000)
          .maxNumberLength(1000)
          .maxStringLength(20_000_000)
          .maxNameLength(50_000)
          .maxDocumentLength(-1) // unbounded here: max_token_size bounds the token before parsing
          .build())
      .build();

  private StrictJson() {}

  /**
   * The JSON object {@code utf8} holds, or null when it holds anything else: bytes that are not
   * UTF-8 as the JDK's strict decoder reads it (overlong forms, encoded surrogates, truncated
   * sequences and code points over U+10FFFF are refused; Jackson's own byte decoder accepts most
   * of those), any value but an object at the top, anything but whitespace after it, a duplicate
   * key at any depth, nesting deeper than {@value #MAX_DEPTH}, a number that is infinite as a
   * double, or a backslash-u escape without four ASCII hex digits. One U+FEFF before the object is
   * skipped, as Gson skips it. Never throws.
   */
  static Map<String, Object> object(byte[] utf8) {
    CharBuffer text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8));
    } catch (CharacterCodingException e) {
      return null;
    }
    char[] chars = text.array();
    int start = text.arrayOffset() + text.position();
    int end = start + text.remaining();
    if (start < end && chars[start] == '\uFEFF') start++;
    if (!unicodeEscapesAreHex(chars, start, end)) return null;
    try (JsonParser p = FACTORY.createParser(chars, start, end - start)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Map<String, Object> object = readObject(p, 1);
      // Jackson reads a second root value as one more token; RFC 8259 text holds one value.
      return p.nextToken() == null ? object : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether each backslash-u escape in {@code chars[start, end)} is followed by four ASCII hex
   * digits. Jackson's char parser (2.18 to 2.22 at least) reads a digit from a character's low
   * byte: backslash, u, b, U+9961, b, b read as U+BABB (U+9961 as 'a'), where Gson and Jackson's
   * own byte parser refuse it. A backslash is only valid in a string, as an escape's start, and
   * the character after it belongs to the escape, so skipping it keeps an escaped backslash
   * followed by a u out of the check.
   */
  static boolean unicodeEscapesAreHex(char[] chars, int start, int end) {
    for (int i = start; i < end; i++) {
      if (chars[i] != '\\') continue;
      i++;
      if (i < end && chars[i] == 'u') {
        if (end - i <= 4) return false;
        for (int k = 1; k <= 4; k++) {
          char c = chars[i + k];
          if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) return false;
        }
        i += 4;
      }
    }
    return true;
  }

  /** The object whose START_OBJECT {@code p} is at; {@code depth} counts it. */
  private static Map<String, Object> readObject(JsonParser p, int depth) throws IOException {
    Map<String, Object> object = new LinkedHashMap<>();
    String name;
    while ((name = p.nextFieldName()) != null) {
      Object value = readValue(p, p.nextToken(), depth);
      int size = object.size();
      object.put(name, value);
      // The size, not put's answer, so that a duplicate of a null member is caught too.
      if (object.size() == size) throw new Refused("duplicate key");
    }
    if (p.currentToken() != JsonToken.END_OBJECT) throw new Refused("unterminated object");
    return object;
  }

  private static List<Object> readArray(JsonParser p, int depth) throws IOException {
    List<Object> array = new ArrayList<>();
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) array.add(readValue(p, token, depth));
    return array;
  }

  /** The value starting at {@code token}, inside a container at {@code depth}. */
  private static Object readValue(JsonParser p, JsonToken token, int depth) throws IOException {
    if (token == null) throw new Refused("end of input in a container");
    switch (token) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        // Gson's LONG_OR_DOUBLE: Long.parseLong, and Double.valueOf when it does not fit.
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? finite(p.getText()) : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return finite(p.getText());
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      case START_OBJECT:
        return readObject(p, deeper(depth));
      case START_ARRAY:
        return readArray(p, deeper(depth));
      default:
        throw new Refused("unexpected " + token);
    }
  }

  private static int deeper(int depth) {
    if (depth >= MAX_DEPTH) throw new Refused("nested deeper than " + MAX_DEPTH);
    return depth + 1;
  }

  /**
   * As Gson's LONG_OR_DOUBLE in a strict reader: a number too large for a double is an error. So
   * is one whose integer digits have a proper prefix that is a multiple of 2^64, such as 1 and 65
   * zeros: Gson's lexer tests for a leading zero by its wrapping long accumulator being 0, so
   * Nimbus refused those, and a token Nimbus refused stays refused.
   */
  private static Double finite(String literal) {
    // Twenty digits are the fewest a nonzero multiple of 2^64 has, and one more must follow.
    if (literal.length() > 20) {
      int first = literal.charAt(0) == '-' ? 1 : 0;
      long accumulator = 0;
      for (int i = first; i < literal.length() && literal.charAt(i) >= '0' && literal.charAt(i) <= '9'; i++) {
        if (i > first && accumulator == 0) throw new Refused("Gson misreads this integer part as a leading zero");
        accumulator = accumulator * 10 + (literal.charAt(i) - '0');
      }
    }
    Double d = Double.valueOf(literal);
    if (d.isInfinite() || d.isNaN()) throw new Refused("number out of range");
    return d;
  }

  /** Input {@link #object} refuses; caught there, never seen by a caller. */
  private static final class Refused extends RuntimeException {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
