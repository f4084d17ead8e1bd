package gatehouse.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import gatehouse.config.ConfigException;
import gatehouse.config.Policy;
import gatehouse.config.RouteConfig;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issues 2 and 17: no spelling of a path may reach {@code /api/admin/...} upstream under another
 * route's policy, not even at a backend that ignores case. Every row either is refused with its
 * exact code or lands on the admin route.
 */
class AdminPathSpellingsTest {
  private static final String HOST = "gw.example.com";
  private static final String ADMIN = "admin";

  private static final RouteTable TABLE = table();

  private static RouteTable table() {
    try {
      return RouteTable.compile(
          List.of(
              Routes.prefix("/api/admin/").id(ADMIN).line(1)
                  .policy(new Policy.Jwt(Set.of(), Set.of("admin"), Set.of())).build(),
              Routes.prefix("/api/public/").id("public").line(2).publicPolicy().build(),
              Routes.prefix("/").id("root").line(3).publicPolicy().build()),
          "gatehouse.yaml");
    } catch (ConfigException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      textBlock = """
      /api/admin/users                        | admin
      /api/admin                              | admin
      /api/admin/                             | admin
      /api/admin?x=/../public                 | admin
      /api/admin/x/..                         | admin
      /api/admin/.                            | admin
      /api/public/../admin/users              | admin
      /api/public/./../admin/x                | admin
      /api/./admin/x                          | admin
      /api/public/../../api/admin/x           | admin
      /api/%61dmin/x                          | admin
      /%61%70%69/%61%64%6D%69%6E/x            | admin
      /api/adm%69n                            | admin
      /api/public/%2e%2e/admin/x              | encoded_dot_segment
      /api/public/%2E%2E/admin/x              | encoded_dot_segment
      /api/public/.%2e/admin/x                | encoded_dot_segment
      /api/public/%2e./admin/x                | encoded_dot_segment
      /api/%2e/admin/x                        | encoded_dot_segment
      /api/admin/%2e                          | encoded_dot_segment
      /api/public%2F..%2Fadmin/x              | encoded_slash
      /api/public/..%2fadmin/x                | encoded_slash
      /api%2Fadmin/x                          | encoded_slash
      /api/public/%2e%2e%2fadmin              | encoded_slash
      /api/public/..%5Cadmin/x                | encoded_backslash
      /api/public/%2E%2E%5cadmin              | encoded_backslash
      /api/public/..\\admin/x                 | invalid_character
      /api\\admin\\x                          | invalid_character
      /api/public/..;/admin/x                 | path_parameter
      /api/admin;jsessionid=1/x               | path_parameter
      /api/public;/../admin/x                 | path_parameter
      /api/admin%3B/x                         | path_parameter
      /api//admin/x                           | empty_segment
      //api/admin/x                           | empty_segment
      /api/public//../admin/x                 | empty_segment
      /api/public/%252e%252e/admin/x          | double_encoding
      /api/public/..%252fadmin/x              | double_encoding
      /api/public%252F..%252Fadmin            | double_encoding
      /api/public/%25%32%65%25%32%65/admin    | double_encoding
      /api/public/..%255cadmin                | double_encoding
      /api/public/..%253B/admin               | double_encoding
      /api/%2561dmin/x                        | double_encoding
      /api/admin%2520/x                       | double_encoding
      /api/admin%00/x                         | encoded_control
      /api/admin%00                           | encoded_control
      /api/admin%09/x                         | encoded_control
      /api/public/..%00/admin                 | encoded_control
      /api/admin%C2%85/x                      | encoded_control
      /api/admin./x                           | trailing_dot
      /api/admin%2e/x                         | trailing_dot
      /api/admin../x                          | trailing_dot
      /api/admin%20/x                         | space_at_segment_edge
      /api/%20admin/x                         | space_at_segment_edge
      /api/public/..%20/admin                 | space_at_segment_edge
      /api/admin%EF%BC%8Fx                    | unicode_lookalike
      /api/public/%EF%BC%8E%EF%BC%8E/admin    | unicode_lookalike
      /api/%EF%BD%81dmin/x                    | unicode_lookalike
      /api/public/%C0%AE%C0%AE/admin          | invalid_utf8
      /api/public/..%C0%AFadmin               | invalid_utf8
      /api/public/..%E0%80%AFadmin            | invalid_utf8
      /api/public/..%E2%80%A8/admin           | invisible_character
      /api/adm%E2%80%8Bin/x                   | invisible_character
      /api/public/..%C2%A0/admin              | invisible_character
      /api/public/%u002e%u002e/admin          | bad_percent_encoding
      /api/public/%2/admin                    | bad_percent_encoding
      /api/public/%%32%65%%32%65/admin        | bad_percent_encoding
      /../api/admin/x                         | dot_segment_above_root
      /api/public/../../../api/admin          | dot_segment_above_root
      /api/public/x/../../admin#x             | fragment
      /api/admin#                             | fragment
      /api/Admin/users                        | ambiguous_case
      /api/%41dmin/users                      | ambiguous_case
      /api/%41%44%4D%49%4E/x                  | ambiguous_case
      /API/ADMIN                              | ambiguous_case
      /api/aDmIn                              | ambiguous_case
      /api/ADMIN/                             | ambiguous_case
      /Api/admin/x                            | ambiguous_case
      /%41PI/%61dmin/x                        | ambiguous_case
      /api/public/../Admin/x                  | ambiguous_case
      /api/Admin?x=/../public                 | ambiguous_case
      /api/adm%C4%B1n/x                       | unicode_lookalike
      /api/%C4%B0dmin/x                       | unicode_lookalike
      /api/adm%E2%84%AAn/x                    | unicode_lookalike
      /api/admin/Users/X                      | admin
      /api/Public/x                           | root
      http://gw.example.com/api/admin/x       | admin
      HTTP://GW.Example.COM/API/Admin/x       | ambiguous_case
      HTTP://GW.Example.COM:80/api/admin/x    | admin
      http://gw.example.com                   | root
      http://evil.example.com/api/admin/x     | absolute_form_host_mismatch
      http://gw.example.com:8080/api/admin    | absolute_form_host_mismatch
      https://gw.example.com/api/admin        | admin
      https://gw.example.com:80/api/admin     | absolute_form_host_mismatch
      http://gw.example.com./api/admin        | absolute_form_host_mismatch
      http://x@gw.example.com/api/admin       | unsupported_target_form
      gw.example.com:80                       | unsupported_target_form
      api/admin                               | unsupported_target_form
      """)
  void everySpellingIsRefusedOrLandsOnTheAdminRoute(String raw, String expected) {
    assertOutcome(raw, expected);
  }

  /** Characters a CSV row cannot carry: NUL, tab, CR, LF, DEL, space, non-ASCII. */
  static Stream<Arguments> rawControlAndNonAscii() {
    return Stream.of(
        arguments("NUL in a segment", "/api/admin\u0000/x"),
        arguments("tab in a segment", "/api/admin\t/x"),
        arguments("space in a segment", "/api/admin /x"),
        arguments("DEL in a segment", "/api/admin\u007f/x"),
        arguments("CR in a segment", "/api/admin\r/x"),
        arguments("LF in a segment", "/api/admin\nx"),
        arguments("raw fullwidth letters", "/api/\uff41\uff44\uff4d\uff49\uff4e/x"),
        arguments("raw fullwidth solidus", "/api/admin\uff0fx"),
        arguments("raw division slash", "/api/public/..\u2215admin"),
        arguments("raw one-dot leaders", "/api/public/\u2024\u2024/admin"),
        arguments("raw latin-1 byte", "/api/admin\u00ff/x"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawControlAndNonAscii")
  void rawControlAndNonAsciiCharactersAreInvalid(String why, String raw) {
    assertOutcome(raw, "invalid_character");
  }

  @Test
  void caseUnderTheMatchedRouteIsKeptAndSentUpstreamAsIs() {
    // Issue 17: a path whose case picks another route is refused (rows above); case that picks the
    // same route either way is the backend's business and reaches it unchanged.
    RequestTarget target = parsed("/api/admin/Users/X");
    assertEquals("/api/admin/Users/X", target.path());
    assertEquals("admin", TABLE.match("GET", HOST, target).orElseThrow().id());
  }

  @Test
  void aQueryCannotSmuggleAPathSegment() {
    RequestTarget target = parsed("/api/public/x?/../../admin");
    assertEquals("/api/public/x", target.path());
    assertEquals(Optional.of("/../../admin"), target.rawQuery());
    assertEquals("public", TABLE.match("GET", HOST, target).orElseThrow().id());
  }

  private static void assertOutcome(String raw, String expected) {
    Target result = TargetParser.parse(raw, HOST);
    if (result instanceof Target.Ambiguous ambiguous) {
      assertEquals(expected, ambiguous.code(), () -> "reason: " + ambiguous.reason());
      assertTrue(ambiguous.reason().length() <= 80, ambiguous.reason());
      return;
    }
    if (!(result instanceof Target.Parsed parsed)) throw new AssertionError(result);
    RequestTarget target = parsed.target();
    Routing routing = TABLE.route("GET", HOST, target);
    if (routing instanceof Routing.Ambiguous ambiguous) {
      assertEquals(expected, ambiguous.code(), target.path());
      assertTrue(LenientBackend.readsAsAdmin(target.path()), () -> "refused needlessly: " + target.path());
      return;
    }
    RouteConfig route = ((Routing.Found) routing).route();
    assertEquals(expected, route.id(), () -> "parsed as " + target);
    boolean gatewaySeesAdmin =
        target.path().equals("/api/admin") || target.path().startsWith("/api/admin/");
    assertEquals(ADMIN.equals(route.id()), gatewaySeesAdmin, target.path());
    assertEquals(
        gatewaySeesAdmin, LenientBackend.readsAsAdmin(target.path()),
        () -> "a lenient backend reads " + target.path() + " differently");
    assertEquals(target, parsed(target.pathAndQuery()), "idempotent");
  }

  private static RequestTarget parsed(String raw) {
    Target result = TargetParser.parse(raw, HOST);
    if (result instanceof Target.Parsed parsed) return parsed.target();
    return fail("expected Parsed for " + raw + " but was " + result);
  }
}
