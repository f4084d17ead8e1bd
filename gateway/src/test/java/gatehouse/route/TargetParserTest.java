package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetParserTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      /                         | /
      /a/b                      | /a/b
      /%7Euser                  | /~user
      /%7euser                  | /~user
      /%41%42c                  | /ABc
      /a%2Db%5Fc%2E%2Ed         | /a-b_c..d
      /%3a                      | /%3A
      /x%3Ay%40z                | /x%3Ay%40z
      /caf%c3%a9                | /caf%C3%A9
      /%e2%82%ac                | /%E2%82%AC
      /100%25                   | /100%25
      /a%25b                    | /a%25b
      /50%25OFF                 | /50%25OFF
      /a%25%7A%7A               | /a%25zz
      /a%20b                    | /a%20b
      /a%3Fb%23c                | /a%3Fb%23c
      /!$&'()*+,=:@-._~         | /!$&'()*+,=:@-._~
      /a/./b                    | /a/b
      /a/../b                   | /b
      /a/b/..                   | /a/
      /a/b/.                    | /a/b/
      /a/..                     | /
      /.                        | /
      /./                       | /
      /a/../                    | /
      /a/b/../../c              | /c
      /a/./b/./                 | /a/b/
      /a/                       | /a/
      /...a                     | /...a
      /a.b/c.d                  | /a.b/c.d
      """)
  void pathIsNormalised(String raw, String expected) {
    assertEquals(expected, parsed(raw).path());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/", "/a/b", "/~user", "/%3A", "/caf%C3%A9", "/a/", "/a%25b", "/x?y=1", "/x?"})
  void aNormalisedTargetParsesToItself(String normalised) {
    assertEquals(normalised, parsed(normalised).pathAndQuery());
  }

  @Test
  void theQueryIsKeptRawAndSplitAtTheFirstQuestionMark() {
    RequestTarget t = parsed("/a/%7e?x=%7e&y=/../b?c");
    assertEquals("/a/~", t.path());
    assertEquals(Optional.of("x=%7e&y=/../b?c"), t.rawQuery());
  }

  @Test
  void anEmptyQueryIsKeptAsSent() {
    assertEquals(Optional.of(""), parsed("/a?").rawQuery());
    assertEquals(Optional.empty(), parsed("/a").rawQuery());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      /a?x y                    | invalid_character
      /a?x=\u00e9               | invalid_character
      /a?x=1#f                  | fragment
      """)
  void aQueryWithSpacesControlsOrNonAsciiIsRefused(String raw, String code) {
    assertAmbiguous(raw, "h", code);
  }

  @ParameterizedTest(name = "[{index}]")
  @ValueSource(strings = {"/a?x=\u0001", "/a?x=\u007f", "/a?x\ty", "/a|b", "/a\u0000", "/\u00e9"})
  void charactersOutsideVisibleAsciiAreRefusedAnywhere(String raw) {
    assertAmbiguous(raw, "h", "invalid_character");
  }

  @ParameterizedTest(name = "{0} with Host {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      http://example.com/a               | example.com                | /a
      HTTP://Example.COM/a?q             | EXAMPLE.com                | /a?q
      http://example.com:80/a            | example.com                | /a
      http://example.com/a               | example.com:80             | /a
      https://example.com:443/a          | example.com                | /a
      http://example.com:8080/a          | example.com:8080           | /a
      http://[::1]:8080/a                | [::1]:8080                 | /a
      http://[::1]/a                     | [::1]:80                   | /a
      http://example.com                 | example.com                | /
      http://example.com?x=1             | example.com                | /?x=1
      http://example.com/a/../b          | example.com                | /b
      """)
  void absoluteFormIsAcceptedForTheSameAuthority(String raw, String host, String expected) {
    Target result = TargetParser.parse(raw, host);
    if (!(result instanceof Target.Parsed parsed)) throw new AssertionError(result);
    assertEquals(expected, parsed.target().pathAndQuery());
  }

  @ParameterizedTest(name = "{0} with Host {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      textBlock = """
      http://other.com/a                 | example.com
      http://example.com:8080/a          | example.com
      http://example.com/a               | example.com:8080
      https://example.com/a              | example.com:80
      http://example.com:/a              | example.com
      http://example.com:99999/a         | example.com:99999
      http://example.com:8o/a            | example.com:8o
      http://[::1/a                      | [::1
      http:///a                          | example.com
      http://example.com/a               | null
      http://example.com./a              | example.com
      http://[::1]/a                     | [::2]
      """)
  void absoluteFormForAnotherAuthorityIsRefused(String raw, String host) {
    assertAmbiguous(raw, host, "absolute_form_host_mismatch");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      textBlock = """
      *
      example.com:443
      ftp://example.com/a
      a/b
      ''
      null
      http://user@example.com/a
      http:/example.com/a
      """)
  void otherTargetFormsAreRefused(String raw) {
    assertAmbiguous(raw, "example.com", "unsupported_target_form");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      /a%2Fb                 | encoded_slash
      /a%2fb                 | encoded_slash
      /a%5cb                 | encoded_backslash
      /a%00                  | encoded_control
      /a%1F                  | encoded_control
      /a%7F                  | encoded_control
      /a%C2%80               | encoded_control
      /a%252Fb               | double_encoding
      /a%255Cb               | double_encoding
      /a%2500                | double_encoding
      /a%252e                | double_encoding
      /a%25252fb             | double_encoding
      /a%2525                | double_encoding
      /a%2541                | double_encoding
      /a%2520b               | double_encoding
      /a%25c3%25a9           | double_encoding
      /a%25%32%46            | double_encoding
      /a;b                   | path_parameter
      /a%3bb                 | path_parameter
      /a%                    | bad_percent_encoding
      /a%4                   | bad_percent_encoding
      /a%zz                  | bad_percent_encoding
      /a%C3%                 | bad_percent_encoding
      /a%C3                  | invalid_utf8
      /a%C3x                 | invalid_utf8
      /a%80                  | invalid_utf8
      /a%FF                  | invalid_utf8
      /a%ED%A0%80            | invalid_utf8
      /a%F4%90%80%80         | invalid_utf8
      /a%F0%80%80%AF         | invalid_utf8
      /a%C3%28               | invalid_utf8
      /%EF%BC%A1             | unicode_lookalike
      /%EF%AC%81le           | unicode_lookalike
      /%E2%80%8B             | invisible_character
      /%EF%BB%BF             | invisible_character
      /%E2%80%AE             | invisible_character
      /a//b                  | empty_segment
      //                     | empty_segment
      /a/%2E/b               | encoded_dot_segment
      /a/%2E%2e/b            | encoded_dot_segment
      /..                    | dot_segment_above_root
      /a/../..               | dot_segment_above_root
      /a.                    | trailing_dot
      /a.../b                | trailing_dot
      /a%20                  | space_at_segment_edge
      /%20a                  | space_at_segment_edge
      /a"b                   | invalid_character
      /a<b                   | invalid_character
      /a>b                   | invalid_character
      /a{b                   | invalid_character
      /a^b                   | invalid_character
      /a`b                   | invalid_character
      /a[b                   | invalid_character
      /#a                    | fragment
      """)
  void ambiguousPathsAreRefusedWithAStableCode(String raw, String code) {
    assertAmbiguous(raw, "example.com", code);
  }

  @Test
  void reasonsNeverEchoLongInput() {
    String longPath = "/" + "a".repeat(10_000) + "%2F";
    Target.Ambiguous a = (Target.Ambiguous) TargetParser.parse(longPath, "h");
    assertEquals("encoded slash (%2F) in path", a.reason());
    Target.Ambiguous host = (Target.Ambiguous) TargetParser.parse("http://" + "h".repeat(500) + "/", "h");
    assertTrue(host.reason().length() <= 64, host.reason());
  }

  @Test
  void invalidCharacterReasonNamesTheCodePoint() {
    Target.Ambiguous a = (Target.Ambiguous) TargetParser.parse("/a\\b", "h");
    assertEquals("character U+005C is not allowed in a path", a.reason());
  }

  static RequestTarget parsed(String raw) {
    Target result = TargetParser.parse(raw, "example.com");
    if (result instanceof Target.Parsed parsed) return parsed.target();
    return fail("expected Parsed for " + raw + " but was " + result);
  }

  private static void assertAmbiguous(String raw, String host, String code) {
    Target result = TargetParser.parse(raw, host);
    if (result instanceof Target.Ambiguous ambiguous) {
      assertEquals(code, ambiguous.code(), ambiguous::reason);
    } else {
      fail("expected " + code + " for " + raw + " but was " + result);
    }
  }
}
