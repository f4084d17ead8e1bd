package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertAuthenticated;
import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Authentication;
import gatehouse.config.KeySourceConfig;
import gatehouse.testing.LocalJwksServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Remote key sets against a real JWKS server on 127.0.0.1: first fetch, rate limits, rotation, outage, discovery. */
class RemoteKeySetTest {
  private final MutableClock clock = MutableClock.start();
  @RegisterExtension final Authenticators authenticators = Authenticators.ownVertx(clock);
  private LocalJwksServer server;

  @BeforeEach
  void start() {
    server = authenticators.closeAfterTest(LocalJwksServer.start(authenticators.vertx(), TestKeys.jwks(TestKeys.ec256())));
  }

  private JwtAuthenticator remote() {
    return create(Jwt.provider().keys(new KeySourceConfig.JwksUri(server.jwksUri())));
  }

  private JwtAuthenticator create(Jwt.Provider p) {
    JwtAuthenticator a = authenticators.create(p);
    Jwt.await(a.settled());
    return a;
  }

  private TestTokens token() {
    return TestTokens.signedBy(TestKeys.ec256(), clock);
  }

  /** Serves a second key beside the first and moves past the 30 s minimum between kid-triggered refreshes. */
  private TestKeys.TestKey publishASecondKeyAndPassTheRefreshInterval() {
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    server.setJwks(TestKeys.jwks(TestKeys.ec256(), next));
    clock.advance(Duration.ofSeconds(31));
    return next;
  }

  @Test
  void keysFromAJwksUriVerifyTokensAfterTheFirstFetch() {
    JwtAuthenticator a = remote();
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertEquals(1, server.fetches());
    KeySetStatus status = a.status().get(0);
    assertTrue(status.ready());
    assertEquals(1, status.keyCount());
    assertEquals("jwks_uri " + server.jwksUri(), status.source());
    assertEquals(java.util.Optional.empty(), status.lastError());
  }

  @Test
  void beforeTheFirstSuccessfulFetchTokensAreUnverifiable() {
    server.failWith(503);
    JwtAuthenticator a = remote();
    Authentication answer = Jwt.authenticate(a, token().sign());
    assertEquals(new Authentication.Unverifiable("jwks:main"), answer);
    KeySetStatus status = a.status().get(0);
    assertFalse(status.ready());
    assertEquals("GET " + server.jwksUri() + " answered 503", status.lastError().orElseThrow());

    server.recover();
    server.setDelay(Duration.ofMillis(300)); // the retry cannot finish before the answer below is given
    clock.advance(Duration.ofSeconds(1)); // the first retry is due after 1 s
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertTrue(a.status().get(0).ready());
  }

  @Test
  void floodOfUnknownKidsCausesAtMostOneRefresh() {
    server.setDelay(Duration.ofMillis(100));
    JwtAuthenticator a = remote();
    clock.advance(Duration.ofSeconds(31)); // past the 30 s minimum between kid-triggered refreshes
    byte[] junkSignature = new byte[64];
    List<Future<Authentication>> answers = IntStream.range(0, 10_000).parallel()
        .mapToObj(i -> a.authenticate(TestTokens.bearer(token().kid(UUID.randomUUID().toString()).withSignature(junkSignature))))
        .toList();
    for (Future<Authentication> f : answers) {
      Authentication answer = Jwt.await(f);
      assertRejected(FailureCodes.UNKNOWN_KEY, answer, "");
    }
    assertEquals(2, server.fetches(), "the initial fetch plus one refresh shared by all 10,000 misses");
  }

  @Test
  void kidJustFoundAbsentIsRememberedUntilTheNextRefresh() {
    JwtAuthenticator a = remote();
    clock.advance(Duration.ofSeconds(31));
    String ghost = token().kid("ghost").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, ghost), ghost);
    assertEquals(2, server.fetches());
    clock.advance(Duration.ofSeconds(31));
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, ghost), ghost);
    assertEquals(2, server.fetches(), "a kid already found absent does not trigger another fetch");
    String other = token().kid("other-ghost").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, other), other);
    assertEquals(3, server.fetches());
  }

  @Test
  void unknownKidWithinTheMinimumRefreshIntervalIsRejectedWithoutAFetch() {
    JwtAuthenticator a = remote();
    String token = token().kid("new-key").sign();
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, token), token);
    assertEquals(1, server.fetches());
  }

  @Test
  void keyAddedToTheJwksIsAcceptedWithoutRestart() {
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = publishASecondKeyAndPassTheRefreshInterval();
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
    assertEquals(2, server.fetches());
    assertEquals(2, a.status().get(0).keyCount());
  }

  @Test
  void keyRemovedFromTheJwksIsRejectedAfterTheNextRefreshEvenIfCached() {
    server.setCacheControl("max-age=60");
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = TestKeys.get(TestKeys.Kind.EC_P256, 1);
    String old = token().sign();
    assertAuthenticated(Jwt.authenticate(a, old));
    assertEquals(1, a.cache().size());

    server.setJwks(TestKeys.jwks(next));
    server.setDelay(Duration.ofMillis(300)); // the refresh cannot finish before the answer below is given
    clock.advance(Duration.ofSeconds(55)); // refresh is due at 90% of max-age
    assertAuthenticated(Jwt.authenticate(a, old)); // served while the refresh runs in the background
    Jwt.await(a.settled());
    assertEquals(2, server.fetches());
    assertEquals(0, a.cache().size(), "entries verified by the removed key are dropped");
    assertRejected(FailureCodes.UNKNOWN_KEY, Jwt.authenticate(a, old), old);
    assertAuthenticated(Jwt.authenticate(a, TestTokens.signedBy(next, clock).sign()));
  }

  @Test
  void dueRefreshDoesNotDelayTheRequestThatNoticesIt() {
    server.setCacheControl("max-age=120");
    JwtAuthenticator a = remote();
    clock.advance(Duration.ofSeconds(110));
    server.setDelay(Duration.ofMillis(200));
    Future<Authentication> answer = a.authenticate(TestTokens.bearer(token().sign()));
    assertTrue(answer.isComplete());
    assertAuthenticated(answer.result());
    Jwt.await(a.settled());
    assertEquals(2, server.fetches());
  }

  @Test
  void outageKeepsTheLastGoodKeySetUntilTheStaleMaximum() {
    server.setCacheControl("max-age=60");
    JwtAuthenticator a = remote();
    server.failWith(500);
    clock.advance(Duration.ofMinutes(2));
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    KeySetStatus status = a.status().get(0);
    assertTrue(status.ready());
    assertEquals("GET " + server.jwksUri() + " answered 500", status.lastError().orElseThrow());

    clock.advance(Duration.ofHours(24));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().sign()));
    assertFalse(a.status().get(0).ready());
    Jwt.await(a.settled());

    server.recover();
    clock.advance(Duration.ofSeconds(31));
    Jwt.authenticate(a, token().sign());
    Jwt.await(a.settled());
    assertAuthenticated(Jwt.authenticate(a, token().sign()));
    assertEquals(java.util.Optional.empty(), a.status().get(0).lastError());
  }

  @Test
  void unknownKidDuringAnOutageIsUnverifiableNotRejected() {
    JwtAuthenticator a = remote();
    server.failWith(500);
    clock.advance(Duration.ofSeconds(31));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().kid("rotated").sign()));
  }

  @Test
  void cacheControlMaxAgeIsHonouredWithinBounds() {
    RemoteKeySource source = (RemoteKeySource) remote().provider("main").keys();
    assertEquals(Duration.ofSeconds(300), source.ttl("public, max-age=300"));
    assertEquals(Duration.ofMinutes(1), source.ttl("max-age=5"));
    assertEquals(Duration.ofHours(1), source.ttl("max-age=999999"));
    assertEquals(Duration.ofMinutes(10), source.ttl(null));
    assertEquals(Duration.ofMinutes(10), source.ttl("max-age=soon"));
    assertEquals(Duration.ofMinutes(1), source.ttl("no-store"));
  }

  @Test
  void discoveryFindsTheJwksUriFromTheIssuer() {
    JwtAuthenticator a = create(Jwt.provider().issuer(server.issuer()).keys(new KeySourceConfig.Discovery()));
    assertAuthenticated(Jwt.authenticate(a, token().claim("iss", server.issuer()).sign()));
    assertEquals(1, server.discoveryFetches());
    assertEquals(1, server.fetches());
  }

  @Test
  void discoveryDocumentNamingAnotherIssuerIsRefused() {
    String issuer = server.issuer() + "/";
    JwtAuthenticator a = create(Jwt.provider().issuer(issuer).keys(new KeySourceConfig.Discovery()));
    assertEquals(new Authentication.Unverifiable("jwks:main"), Jwt.authenticate(a, token().claim("iss", issuer).sign()));
    assertTrue(a.status().get(0).lastError().orElseThrow().contains("names issuer " + server.issuer() + ", not " + issuer));
    assertEquals(0, server.fetches());
  }

  @Test
  void answerAfterAKeyFetchArrivesOnTheCallersContext() {
    JwtAuthenticator a = remote();
    TestKeys.TestKey next = publishASecondKeyAndPassTheRefreshInterval();
    String token = TestTokens.signedBy(next, clock).sign();
    Context context = authenticators.vertx().getOrCreateContext();
    ConcurrentLinkedQueue<Context> seen = new ConcurrentLinkedQueue<>();
    Promise<Authentication> done = Promise.promise();
    context.runOnContext(v -> a.authenticate(TestTokens.bearer(token)).onComplete(ar -> {
      seen.add(Vertx.currentContext());
      done.handle(ar);
    }));
    assertAuthenticated(Jwt.await(done.future()));
    assertSame(context, seen.peek());
  }
}
