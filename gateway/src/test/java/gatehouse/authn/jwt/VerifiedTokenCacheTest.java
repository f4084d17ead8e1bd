package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Identity;
import gatehouse.testing.Identities;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The verified-token cache: hits, exp as the hard limit, the size bound, no identity crossing tokens. */
class VerifiedTokenCacheTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.sharingVertx(clock);

  private JwtAuthenticator auth(int cacheSize) {
    return authenticators.createWithCacheSize(cacheSize, Jwt.jwksProvider(TestKeys.ec256()));
  }

  private TestTokens token() {
    return TestTokens.signedBy(TestKeys.ec256(), clock);
  }

  @Test
  void secondUseOfATokenIsServedFromTheCache() {
    JwtAuthenticator a = auth(100);
    String token = token().sign();
    Identity first = assertAuthenticated(Jwt.authenticate(a, token));
    Identity second = assertAuthenticated(Jwt.authenticate(a, token));
    assertSame(first, second);
    assertEquals(1, a.cache().stats().hitCount());
  }

  @Test
  void aProviderWithCacheOffHasEveryTokenVerifiedAgain() {
    JwtAuthenticator a = authenticators.createWithCacheSize(100, Jwt.jwksProvider(TestKeys.ec256()).cache(false));
    String token = token().sign();
    Identity first = assertAuthenticated(Jwt.authenticate(a, token));
    Identity second = assertAuthenticated(Jwt.authenticate(a, token));
    assertEquals(first, second);
    assertEquals(0, a.cache().size());
    assertEquals(0, a.cache().stats().hitCount());
  }

  @Test
  void cachedEntryNeverOutlivesExp() {
    JwtAuthenticator a = auth(100);
    String token = token().sign();
    assertAuthenticated(Jwt.authenticate(a, token));
    clock.advance(Duration.ofMinutes(5));
    // At exp the entry is gone; the token is verified again (still inside the 60 s skew) ...
    assertAuthenticated(Jwt.authenticate(a, token));
    assertEquals(0, a.cache().stats().hitCount());
    // ... and the skew, not the cache, decides when it ends.
    clock.advance(Duration.ofSeconds(60));
    assertRejected(FailureCodes.EXPIRED, Jwt.authenticate(a, token), token);
  }

  @Test
  void cacheIsBoundedInSize() {
    JwtAuthenticator a = auth(5);
    for (int i = 0; i < 50; i++) assertAuthenticated(Jwt.authenticate(a, token().claim("sub", "user" + i).sign()));
    assertTrue(a.cache().size() <= 5, "size " + a.cache().size());
  }

  @Test
  void rejectedTokensAreNotCached() {
    JwtAuthenticator a = auth(100);
    String token = token().claim("aud", "other").sign();
    assertRejected(FailureCodes.WRONG_AUDIENCE, Jwt.authenticate(a, token), token);
    assertEquals(0, a.cache().size());
  }

  @Test
  void identityOfOneTokenNeverAppearsForAnother() {
    JwtAuthenticator a = auth(10_000);
    List<String> tokens = IntStream.range(0, 1000).mapToObj(i -> token().claim("sub", "user" + i).sign()).toList();
    // Twice over, in parallel: the second round is all cache hits.
    for (int round = 0; round < 2; round++) {
      IntStream.range(0, 1000).parallel().forEach(i -> {
        Identity id = assertAuthenticated(Jwt.authenticate(a, tokens.get(i)));
        assertEquals("user" + i, id.subject());
        assertEquals("user" + i, Identities.headers(id, Jwt.IDENTITY.claims()).get("X-User-Id").value());
      });
    }
    assertEquals(1000, a.cache().stats().hitCount());
  }

  @Test
  void fingerprintMatchesSecretFingerprint() {
    String token = token().sign();
    assertEquals(new gatehouse.secret.Secret(token).fingerprint(), new gatehouse.secret.Secret(token).hash().fingerprint());
  }
}
