package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HeaderEditsTest {
  private final ReservedHeaders reserved = new ReservedHeaders(List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id"));

  @ParameterizedTest
  @ValueSource(strings = {"X-User-Id", "x-user-id", "X_User_Id", "x_USER-id", "X-User-Role", "X-User-Anything", "X-Owner-Id",
      "X_Owner_Id", "x-scopes", "X-Key-Id", " X-Scopes ", "X-SCOPES", "X-User-", "x_user_", "X-\u212Aey-Id"})
  void everySpellingOfAReservedHeaderIsReserved(String name) {
    assertTrue(reserved.matches(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-User", "X-Userid", "X-Owner", "X-Scope", "Authorization", "X-Request-Id", "X-Scopes-2", "X-Scopes2", "Y-User-Id",
      "X-Owner-Ids", "", " ", "X-\u00dcser-Id"})
  void neighboursOfReservedNamesAreNot(String name) {
    assertFalse(reserved.matches(name));
  }

  @Test
  void stripsEveryDuplicateAndSpellingThenSetsTheVerifiedValues() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    h.add("X-User-Id", "mallory").add("x-user-id", "mallory2").add("X_User_Id", "mallory3").add("X-User-Role", "admin")
        .add("Authorization", "Bearer t").add("Accept", "*/*");
    new HeaderEdits(reserved, Set.of("Authorization"), Map.of("X-User-Id", "alice")).accept(h);
    assertEquals(List.of("alice"), h.getAll("X-User-Id"));
    assertFalse(h.contains("X_User_Id"));
    assertFalse(h.contains("X-User-Role"));
    assertFalse(h.contains("Authorization"));
    assertEquals("*/*", h.get("Accept"));
  }

  @Test
  void anEmptyIdentityValueLeavesTheHeaderUnsetAsSignaturesAssume() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("X-User-Email", "mallory@example.com");
    new HeaderEdits(reserved, Set.of(), Map.of("X-User-Id", "alice", "X-User-Email", "")).accept(h);
    assertEquals(List.of("alice"), h.getAll("X-User-Id"));
    assertFalse(h.contains("X-User-Email"));
  }
}
