package gatehouse.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AudienceCheckTest {
  private static final Set<String> API = Set.of("api", "web");

  @Test
  void aStringOrAnArrayMatchesWhenOneAudienceIsAccepted() {
    assertEquals(AudienceCheck.MATCH, AudienceCheck.of("api", API));
    assertEquals(AudienceCheck.MATCH, AudienceCheck.of(List.of("other", "web"), API));
  }

  @Test
  void wellFormedButForeignAudiencesDoNotMatch() {
    assertEquals(AudienceCheck.NO_MATCH, AudienceCheck.of("other", API));
    assertEquals(AudienceCheck.NO_MATCH, AudienceCheck.of(List.of(), API));
  }

  @Test
  void absentAndMalformedAreToldApart() {
    assertEquals(AudienceCheck.ABSENT, AudienceCheck.of(null, API));
    assertEquals(AudienceCheck.MALFORMED, AudienceCheck.of(42L, API));
    assertEquals(AudienceCheck.MALFORMED, AudienceCheck.of(List.of("api", 7L), API));
  }
}
