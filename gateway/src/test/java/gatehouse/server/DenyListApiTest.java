package gatehouse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.revoke.DenyEntry;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a {@code POST /denylist} body may say: one kind of entry, named unambiguously; a token is kept only as its hash. */
class DenyListApiTest {

  @Test
  void aTokenBecomesItsHashAndNothingElse() {
    assertEquals(new DenyEntry.Match.TokenHash(DenyEntry.sha256("abc.def.ghi")),
        DenyListApi.match(new JsonObject().put("token", "abc.def.ghi").put("expires_in", "1h")));
  }

  @Test
  void aSubjectWithItsIssuerAndCutOff() {
    assertEquals(new DenyEntry.Match.Subject(Optional.of("https://i"), "sam", java.time.Instant.parse("2026-12-06T21:00:00Z")),
        DenyListApi.match(new JsonObject().put("sub", "sam").put("iss", "https://i").put("before", "2026-12-06T21:00:00Z")));
  }

  @Test
  void twoKindsAtOnceAreRefused() {
    assertEquals("give exactly one of jti (with iss), token, token_sha256, sub (with before)", refused(new JsonObject().put("jti", "j").put("token", "t")));
    assertEquals("give exactly one of jti (with iss), token, token_sha256, sub (with before)", refused(new JsonObject()));
  }

  @Test
  void aJtiWithoutItsIssuerIsRefused() {
    assertEquals("jti needs iss: a jti is unique only within its issuer", refused(new JsonObject().put("jti", "j")));
  }

  @Test
  void fieldsOfAnotherKindAndUnknownFieldsAreRefused() {
    assertEquals("'before' does not go with token", refused(new JsonObject().put("token", "t").put("before", "2026-12-06T21:00:00Z")));
    assertEquals("unknown field 'exp' (expected jti, iss, token, token_sha256, sub, before, expires_in)",
        refused(new JsonObject().put("token", "t").put("exp", 1)));
    assertEquals("before must be an instant such as 2026-12-06T21:00:00Z", refused(new JsonObject().put("sub", "s").put("before", "yesterday")));
  }

  private static String refused(JsonObject body) {
    return assertThrows(IllegalArgumentException.class, () -> DenyListApi.match(body)).getMessage();
  }
}
