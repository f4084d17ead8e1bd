package gatehouse.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Issue 18: the invariants of {@link NumericDate} and {@link ClientCheck}, over any input. */
class ClaimRulesPropertiesTest {

  @Property
  void aDoubleIsADateExactlyWhenItLiesBetweenTheEpochAndTheYear9999(@ForAll double seconds) {
    Instant date = NumericDate.of(seconds);
    boolean inRange = seconds >= 0 && seconds <= NumericDate.MAX_SECONDS;
    assertEquals(inRange, date != null, () -> seconds + " -> " + date);
    if (date != null) assertTrue(!date.isBefore(Instant.EPOCH) && !date.isAfter(NumericDate.MAX), () -> seconds + " -> " + date);
  }

  @Property
  void aLongIsADateExactlyWhenItLiesBetweenTheEpochAndTheYear9999(@ForAll("longs") long seconds) {
    Instant date = NumericDate.of(seconds);
    assertEquals(seconds >= 0 && seconds <= NumericDate.MAX_SECONDS, date != null, () -> seconds + " -> " + date);
    if (date != null) assertEquals(seconds, date.getEpochSecond());
  }

  @Provide
  Arbitrary<Long> longs() {
    return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-2, 2),
        Arbitraries.longs().between(NumericDate.MAX_SECONDS - 2, NumericDate.MAX_SECONDS + 2));
  }

  /**
   * A client is allowed only when the token names exactly one client, by {@code azp} or {@code
   * client_id} or both alike, and that client is on the list.
   */
  @Property
  void aTokenIsAllowedOnlyForOneListedClient(@ForAll("clients") String azp, @ForAll("clients") String clientId) {
    Set<String> allowed = Set.of("web", "cli");
    ClientCheck check = ClientCheck.of(azp, clientId, allowed);
    boolean oneClient = azp == null || clientId == null || azp.equals(clientId);
    String named = azp != null ? azp : clientId;
    assertEquals(named != null && oneClient && !named.isEmpty() && allowed.contains(named), check == ClientCheck.ALLOWED,
        () -> "azp=" + azp + " client_id=" + clientId + " -> " + check);
    if (azp != null && clientId != null && !azp.isEmpty() && !clientId.isEmpty() && !azp.equals(clientId)) {
      assertEquals(ClientCheck.AMBIGUOUS, check, "two clients are refused whichever is listed");
    }
  }

  @Provide
  Arbitrary<String> clients() {
    return Arbitraries.oneOf(Arbitraries.of("web", "cli", "other", "WEB", "web ", ""), Arbitraries.strings().ofMaxLength(5))
        .injectNull(0.2);
  }
}
