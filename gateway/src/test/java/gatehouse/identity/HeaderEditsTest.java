package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeaderEditsTest {
  private final ReservedHeaders reserved = new ReservedHeaders(List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id"));

  @Test
  void stripsEveryDuplicateAndSpellingThenSetsTheVerifiedValues() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    h.add("X-User-Id", "mallory").add("x-user-id", "mallory2").add("X_User_Id", "mallory3").add("X-User-Role", "admin")
        .add("X.User.Id", "mallory4").add("X~Owner~Id", "mallory5")
        .add("Authorization", "Bearer t").add("Accept", "*/*");
    new HeaderEdits(reserved, Set.of("Authorization"), Map.of("X-User-Id", "alice")).accept(h);
    assertEquals(List.of("alice"), h.getAll("X-User-Id"));
    assertFalse(h.contains("X_User_Id"));
    assertFalse(h.contains("X.User.Id"));
    assertFalse(h.contains("X~Owner~Id"));
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
