package gatehouse.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClaimPathTest {

  @Test
  void plainNamesSeparatedByDotsWalkIntoObjects() {
    assertEquals(List.of("realm_access", "roles"), ClaimPath.parse("realm_access.roles").names());
    assertEquals(List.of("role"), ClaimPath.parse("role").names());
  }

  @Test
  void bracketQuotedNamesMayContainDotsSlashesAndBrackets() {
    assertEquals(List.of("https://example.com/roles"), ClaimPath.parse("[\"https://example.com/roles\"]").names());
    assertEquals(List.of("resource_access", "my.app", "roles"), ClaimPath.parse("resource_access[\"my.app\"].roles").names());
    assertEquals(List.of("a[b]", "c"), ClaimPath.parse("[\"a[b]\"].c").names());
    assertEquals(List.of("say \"hi\" \\"), ClaimPath.parse("[\"say \\\"hi\\\" \\\\\"]").names());
    assertEquals(List.of("x", "y"), ClaimPath.parse("[\"x\"][\"y\"]").names());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a.|claim path 'a.': expected a name after '.' at index 2",
      ".a|claim path '.a': expected a name at index 0",
      "a..b|claim path 'a..b': expected a name at index 2",
      "[a]|claim path '[a]': expected '\"' after '[' at index 1",
      "[\"a\"|claim path '[\"a\"': expected ']' after quoted name at index 4",
      "[\"a|claim path '[\"a': unterminated quoted name at index 3",
      "[\"\"]|claim path '[\"\"]': empty name at index 3",
      "a]|claim path 'a]': ']' is only allowed inside [\"...\"] at index 1",
      "[\"a\"]b|claim path '[\"a\"]b': expected '.' or '[' at index 5",
      "[\"\\n\"]|claim path '[\"\\n\"]': only \\\" and \\\\ may be escaped at index 3"})
  void invalidPathIsRefusedWithItsPosition(String path, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ClaimPath.parse(path)).getMessage());
  }

  @Test
  void emptyPathIsRefused() {
    assertEquals("claim path is empty", assertThrows(IllegalArgumentException.class, () -> ClaimPath.parse("")).getMessage());
  }

  @Test
  void resolveFindsNestedValuesAndTreatsNullAndNonObjectsAsMissing() {
    Map<String, Object> claims = new java.util.HashMap<>();
    claims.put("realm_access", Map.of("roles", List.of("a", "b")));
    claims.put("https://example.com/roles", "admin");
    claims.put("nothing", null);
    claims.put("flat", "x");
    assertEquals(Optional.of(List.of("a", "b")), ClaimPath.parse("realm_access.roles").resolve(claims));
    assertEquals(Optional.of("admin"), ClaimPath.parse("[\"https://example.com/roles\"]").resolve(claims));
    assertEquals(Optional.empty(), ClaimPath.parse("https://example.com/roles").resolve(claims));
    assertEquals(Optional.empty(), ClaimPath.parse("nothing").resolve(claims));
    assertEquals(Optional.empty(), ClaimPath.parse("flat.deeper").resolve(claims));
    assertEquals(Optional.empty(), ClaimPath.parse("absent").resolve(claims));
  }
}
