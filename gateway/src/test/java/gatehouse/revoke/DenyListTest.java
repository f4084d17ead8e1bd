package gatehouse.revoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import gatehouse.testing.MutableClock;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The deny-list on its own: which verified answers it turns into {@code token_revoked}, when an
 * entry stops counting, and that entries survive the JSON they travel in through Redis.
 */
class DenyListTest {
  private static final Instant T0 = Instant.parse("2026-12-06T20:00:00Z");
  private static final String ISS = "https://issuer.test";

  private static Authentication guarded(DenyList list, String token, Map<String, Object> claims) {
    Identity id = new Identity((String) claims.getOrDefault("sub", ""), Scheme.JWT, "main", Set.of(), Set.of(),
        VerifiedClaims.of(claims), Optional.empty());
    Authenticator verifies = c -> Future.succeededFuture(new Authentication.Authenticated(id));
    return list.guard(verifies).authenticate(new Credential.BearerToken(new Secret(token))).result();
  }

  private static Map<String, Object> claims(String sub, Long iat, String jti) {
    Map<String, Object> m = new HashMap<>();
    m.put("iss", ISS);
    m.put("sub", sub);
    if (iat != null) m.put("iat", iat);
    if (jti != null) m.put("jti", jti);
    return m;
  }

  private static void assertRevoked(Authentication a) {
    Authentication.Rejected r = assertInstanceOf(Authentication.Rejected.class, a);
    assertEquals(DenyList.REVOKED, r.failure().code());
  }

  @Property(tries = 200)
  void aSubjectCutOffRefusesExactlyTheTokensIssuedBeforeIt(@ForAll @LongRange(min = -100_000, max = 100_000) long iatOffset,
      @ForAll @LongRange(min = -100_000, max = 100_000) long cutOffOffset) {
    MutableClock clock = new MutableClock(T0);
    DenyList list = DenyList.local(clock);
    Instant before = T0.plusSeconds(cutOffOffset);
    list.add(new DenyEntry.Match.Subject(Optional.of(ISS), "sam", before), Duration.ofDays(3));
    long iat = T0.getEpochSecond() + iatOffset;
    Authentication a = guarded(list, "tok-" + iat, claims("sam", iat, null));
    if (Instant.ofEpochSecond(iat).isBefore(before)) assertRevoked(a);
    else assertInstanceOf(Authentication.Authenticated.class, a);
    assertInstanceOf(Authentication.Authenticated.class, guarded(list, "other", claims("someone-else", iat, null)));
  }

  @Test
  void aTokenWithoutIatIsRefusedWhileItsSubjectHasACutOff() {
    DenyList list = DenyList.local(new MutableClock(T0));
    list.add(new DenyEntry.Match.Subject(Optional.empty(), "sam", T0), Duration.ofHours(1));
    assertRevoked(guarded(list, "no-iat", claims("sam", null, null)));
  }

  @Test
  void aSubjectEntryForOneIssuerLeavesTheSameSubjectOfAnotherAlone() {
    DenyList list = DenyList.local(new MutableClock(T0));
    list.add(new DenyEntry.Match.Subject(Optional.of("https://other.test"), "sam", T0), Duration.ofHours(1));
    assertInstanceOf(Authentication.Authenticated.class, guarded(list, "t", claims("sam", T0.getEpochSecond() - 60, null)));
  }

  @Test
  void jtiAndTokenHashEntriesRefuseOnlyTheirToken() {
    DenyList list = DenyList.local(new MutableClock(T0));
    list.add(new DenyEntry.Match.Jti(ISS, "j1"), Duration.ofHours(1));
    list.add(new DenyEntry.Match.TokenHash(DenyEntry.sha256("denied-token")), Duration.ofHours(1));
    assertRevoked(guarded(list, "a", claims("sam", 1L, "j1")));
    assertRevoked(guarded(list, "denied-token", claims("sam", 1L, "j2")));
    assertInstanceOf(Authentication.Authenticated.class, guarded(list, "b", claims("sam", 1L, "j2")));
  }

  @Property(tries = 100)
  void anEntryCountsUntilItExpiresAndNotAfter(@ForAll @LongRange(min = 1, max = 86_400) long keepSeconds,
      @ForAll @LongRange(min = 0, max = 172_800) long laterSeconds) {
    MutableClock clock = new MutableClock(T0);
    DenyList list = DenyList.local(clock);
    list.add(new DenyEntry.Match.TokenHash(DenyEntry.sha256("t")), Duration.ofSeconds(keepSeconds));
    clock.advance(Duration.ofSeconds(laterSeconds));
    Authentication a = guarded(list, "t", claims("sam", 1L, null));
    if (laterSeconds < keepSeconds) assertRevoked(a);
    else assertInstanceOf(Authentication.Authenticated.class, a);
    assertEquals(laterSeconds < keepSeconds ? 1 : 0, list.list().size());
  }

  @Test
  void refusalsAndUnverifiableAnswersPassThroughUntouched() {
    DenyList list = DenyList.local(new MutableClock(T0));
    list.add(new DenyEntry.Match.TokenHash(DenyEntry.sha256("t")), Duration.ofHours(1));
    Authentication down = new Authentication.Unverifiable("jwks:main");
    assertSame(down, list.guard(c -> Future.succeededFuture(down)).authenticate(new Credential.BearerToken(new Secret("t"))).result());
  }

  @Property(tries = 200)
  void everyEntrySurvivesItsJsonAndKeepsItsId(@ForAll("entries") DenyEntry e) {
    DenyEntry back = DenyEntry.fromJson(e.toJson());
    assertEquals(e, back);
    assertEquals(e.id(), back.id());
  }

  @Provide
  Arbitrary<DenyEntry> entries() {
    Arbitrary<String> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
    Arbitrary<Instant> instants = Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond);
    Arbitrary<DenyEntry.Match> matches = Arbitraries.oneOf(
        Combinators.combine(text, text).as(DenyEntry.Match.Jti::new),
        text.map(t -> new DenyEntry.Match.TokenHash(DenyEntry.sha256(t))),
        Combinators.combine(text.optional(), text, instants).as(DenyEntry.Match.Subject::new));
    return Combinators.combine(matches, instants, instants).as(DenyEntry::new);
  }

  @Test
  void aTokenHashMustBeSixtyFourLowerCaseHexDigits() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DenyEntry.Match.TokenHash("ABC"));
    assertEquals("token_sha256 must be 64 lower-case hex digits", e.getMessage());
  }
}
