package gatehouse.authn.apikey;

import static gatehouse.authn.apikey.KeyStores.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Authentication;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.CredentialLimit;
import gatehouse.config.ApiKeysConfig;
import gatehouse.credential.Credential;
import gatehouse.identity.ClaimHeaders;
import gatehouse.secret.Secret;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TcpProxy;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
  private final Vertx vertx = TestVertx.create();
  private final MutableClock clock = MutableClock.start();
  private final TestDatabases.Db db = TestDatabases.sqlite();
  private final ApiKeysConfig config = KeyStores.config(db.store(), "    cache_ttl: 30s", "    negative_cache_ttl: 5s", "    stale_if_error: 5m");
  private final JdbcApiKeyStore jdbc = new JdbcApiKeyStore(vertx, config.store());
  private final Switchable store = new Switchable(jdbc);
  private final ApiKeyAuthenticator auth = new ApiKeyAuthenticator(vertx, store, config, clock, new SecureRandom());

  @AfterEach
  void close() {
    await(jdbc.close());
    db.close();
    await(vertx.close());
  }

  private CreatedKey create(Set<String> scopes, Optional<Integer> limit) {
    return await(auth.admin().create(new NewKey("acme", Optional.of("ci"), scopes, limit, Optional.empty())));
  }

  private Authentication check(String key) {
    return await(auth.authenticate(new Credential.ApiKey(new Secret(key), Credential.Location.HEADER)));
  }

  private static String reason(Authentication a) {
    return ((Authentication.Rejected) a).failure().code();
  }

  @Test
  void aValidKeyYieldsTheOwnerScopesAndKeyIdAsIdentityHeaders() {
    CreatedKey k = create(Set.of("orders:write", "orders:read"), Optional.empty());
    Authentication.Authenticated ok = assertInstanceOf(Authentication.Authenticated.class, check(k.key().reveal()));
    assertEquals("acme", ok.identity().subject());
    assertEquals(Map.of("X-Owner-Id", new ClaimValue("owner_id", "acme"), "X-Scopes", new ClaimValue("scopes", List.of("orders:read", "orders:write")),
        "X-Key-Id", new ClaimValue("key_id", k.info().id())), ClaimHeaders.API_KEYS.select(ok.identity().claims()));
    assertEquals(Optional.empty(), ok.limit());
  }

  @Test
  void malformedHugeAndNonAsciiKeysAreRefusedWithoutALookup() {
    String key = create(Set.of(), Optional.empty()).key().reveal();
    int before = store.lookups.get();
    assertEquals("malformed", reason(check("nope")));
    assertEquals("too_long", reason(check(key + "A".repeat(1 << 20))));
    assertEquals("not_ascii", reason(check(key.substring(0, 30) + "ä" + key.substring(31))));
    assertEquals("bad_checksum", reason(check(key.substring(0, 30) + (key.charAt(30) == 'A' ? 'B' : 'A') + key.substring(31))));
    assertEquals(before, store.lookups.get());
  }

  @Test
  void aWellFormedUnknownKeyIsLookedUpOnceThenRememberedForTheNegativeTtl() {
    String unknown = KeyFormat.generate(new SecureRandom());
    assertEquals("unknown", reason(check(unknown)));
    assertEquals("unknown", reason(check(unknown)));
    assertEquals(1, store.lookups.get());
    clock.advance(Duration.ofSeconds(5));
    assertEquals("unknown", reason(check(unknown)));
    assertEquals(2, store.lookups.get());
  }

  @Test
  void aCachedKeyIsNotLookedUpAgainWithinTheTtl() {
    String key = create(Set.of(), Optional.empty()).key().reveal();
    check(key);
    clock.advance(Duration.ofSeconds(29));
    check(key);
    assertEquals(1, store.lookups.get());
    clock.advance(Duration.ofSeconds(1));
    check(key);
    assertEquals(2, store.lookups.get());
  }

  @Test
  void aRevocationThroughThisInstanceTakesEffectAtOnce() {
    CreatedKey k = create(Set.of(), Optional.empty());
    assertInstanceOf(Authentication.Authenticated.class, check(k.key().reveal()));
    await(auth.admin().revoke(k.info().id()));
    assertEquals("revoked", reason(check(k.key().reveal())));
  }

  @Test
  void aRevocationElsewhereTakesEffectHereWithinTheCacheTtl() {
    CreatedKey k = create(Set.of(), Optional.empty());
    assertInstanceOf(Authentication.Authenticated.class, check(k.key().reveal()));
    ApiKeyAdmin elsewhere = new ApiKeyAdmin(jdbc, new KeyHasher(Optional.empty()), clock, new SecureRandom(), hash -> {});
    await(elsewhere.revoke(k.info().id()));
    clock.advance(Duration.ofSeconds(29));
    assertInstanceOf(Authentication.Authenticated.class, check(k.key().reveal()), "still cached");
    clock.advance(Duration.ofSeconds(1));
    assertEquals("revoked", reason(check(k.key().reveal())));
  }

  @Test
  void aChangeHeardOfDropsThatKeyAtOnceAndNoOther() {
    CreatedKey k = create(Set.of(), Optional.empty());
    CreatedKey other = create(Set.of(), Optional.empty());
    check(k.key().reveal());
    check(other.key().reveal());
    ApiKeyAdmin elsewhere = new ApiKeyAdmin(jdbc, new KeyHasher(Optional.empty()), clock, new SecureRandom(), hash -> {});
    await(elsewhere.revoke(k.info().id()));
    int before = store.lookups.get();
    auth.forgetKey(k.info().id());
    assertEquals("revoked", reason(check(k.key().reveal())));
    assertInstanceOf(Authentication.Authenticated.class, check(other.key().reveal()));
    assertEquals(before + 1, store.lookups.get(), "the other key is still cached");
    auth.forgetAll();
    check(other.key().reveal());
    assertEquals(before + 2, store.lookups.get());
  }

  @Test
  void aLookupUnderWayWhenAChangeIsHeardAnswersItsRequestButIsNeitherCachedNorJoined() {
    CreatedKey k = create(Set.of(), Optional.empty());
    Switchable.Hold hold = new Switchable.Hold();
    store.hold.set(hold);
    Future<Authentication> early = auth.authenticate(new Credential.ApiKey(new Secret(k.key().reveal()), Credential.Location.HEADER));
    ApiKeyAdmin elsewhere = new ApiKeyAdmin(jdbc, new KeyHasher(Optional.empty()), clock, new SecureRandom(), hash -> {});
    try {
      assertTrue(hold.read().await(10, java.util.concurrent.TimeUnit.SECONDS), "the early lookup read the row");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    await(elsewhere.revoke(k.info().id()));
    auth.forgetKey(k.info().id());
    assertEquals("revoked", reason(check(k.key().reveal())), "a request after the change does not join the early lookup");
    hold.release().complete();
    assertInstanceOf(Authentication.Authenticated.class, await(early), "read before the change");
    assertEquals("revoked", reason(check(k.key().reveal())), "the early answer was not cached");
  }

  @Test
  void anExpiredKeyIsRefusedEvenFromTheCache() {
    CreatedKey k = await(auth.admin().create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.of(Duration.ofSeconds(10)))));
    assertInstanceOf(Authentication.Authenticated.class, check(k.key().reveal()));
    clock.advance(Duration.ofSeconds(10));
    assertEquals("expired", reason(check(k.key().reveal())));
  }

  @Test
  void aRotatedKeyKeepsWorkingForTheGraceThenStops() {
    CreatedKey old = create(Set.of("a"), Optional.empty());
    CreatedKey next = await(auth.admin().rotate(old.info().id(), Duration.ofHours(1))).orElseThrow();
    assertInstanceOf(Authentication.Authenticated.class, check(old.key().reveal()));
    assertInstanceOf(Authentication.Authenticated.class, check(next.key().reveal()));
    clock.advance(Duration.ofHours(1));
    assertEquals("expired", reason(check(old.key().reveal())));
    assertInstanceOf(Authentication.Authenticated.class, check(next.key().reveal()));
  }

  @Test
  void whenTheStoreIsDownCachedKeysKeepWorkingOthersAreUnverifiableAndRecoveryIsAutomatic() {
    String cached = create(Set.of(), Optional.empty()).key().reveal();
    String uncached = create(Set.of(), Optional.empty()).key().reveal();
    check(cached);
    store.down.set(true);
    clock.advance(Duration.ofSeconds(31));   // past the TTL: a refresh is due and fails
    assertInstanceOf(Authentication.Authenticated.class, check(cached));
    assertEquals(new Authentication.Unverifiable("api_key_store"), check(uncached));
    int lookups = store.lookups.get();
    assertEquals(new Authentication.Unverifiable("api_key_store"), check(uncached));
    assertEquals(lookups, store.lookups.get(), "within STORE_RETRY the store is left alone");

    store.down.set(false);
    clock.advance(ApiKeyAuthenticator.STORE_RETRY);
    assertInstanceOf(Authentication.Authenticated.class, check(uncached));
    assertTrue(auth.status().reachable());
  }

  @Test
  void aCachedKeyStopsWorkingOnceStaleIfErrorHasPassed() {
    String key = create(Set.of(), Optional.empty()).key().reveal();
    check(key);
    store.down.set(true);
    clock.advance(Duration.ofSeconds(30).plus(Duration.ofMinutes(5)).minusSeconds(1));
    assertInstanceOf(Authentication.Authenticated.class, check(key));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(new Authentication.Unverifiable("api_key_store"), check(key));
  }

  @Test
  void aKeysStoredRateLimitTravelsWithItsIdentityAndTheAuthenticatorNeverThrottles() {
    CreatedKey limited = create(Set.of(), Optional.of(3));
    for (int i = 0; i < 5; i++) {
      Authentication.Authenticated ok = assertInstanceOf(Authentication.Authenticated.class, check(limited.key().reveal()));
      assertEquals(Optional.of(new CredentialLimit(limited.info().id(), 3, Duration.ofMinutes(1))), ok.limit());
    }
    Authentication.Authenticated unlimited = assertInstanceOf(Authentication.Authenticated.class,
        check(create(Set.of(), Optional.empty()).key().reveal()));
    assertEquals(Optional.empty(), unlimited.limit());
  }

  @Test
  void lastUsedTimesAreBatchedUntilAFlush() {
    CreatedKey k = create(Set.of(), Optional.empty());
    check(k.key().reveal());
    clock.advance(Duration.ofSeconds(3));
    check(k.key().reveal());
    assertEquals(Optional.empty(), await(auth.admin().list(Optional.empty())).get(0).lastUsedAt());
    await(auth.flushLastUsed());
    assertEquals(1, store.recordUses.get());
    assertEquals(Optional.of(clock.instant()), await(auth.admin().list(Optional.empty())).get(0).lastUsedAt());
  }

  @Test
  void aKeysLastUsedTimeMovesAtMostOnceASecond() {
    CreatedKey k = create(Set.of(), Optional.empty());
    clock.advance(Duration.ofNanos(1_000_000_000L - clock.instant().getNano()));   // the start of a second
    Instant first = clock.instant();
    check(k.key().reveal());
    clock.advance(Duration.ofMillis(400));
    check(k.key().reveal());
    await(auth.flushLastUsed());
    assertEquals(Optional.of(first), await(auth.admin().list(Optional.empty())).get(0).lastUsedAt());
    clock.advance(Duration.ofMillis(600));
    check(k.key().reveal());
    await(auth.flushLastUsed());
    assertEquals(Optional.of(clock.instant()), await(auth.admin().list(Optional.empty())).get(0).lastUsedAt());
  }

  @Test
  void aCacheHitCostsMicrosecondsNotAQuery() {
    String key = create(Set.of("a"), Optional.of(1_000_000)).key().reveal();
    check(key);
    Credential credential = new Credential.ApiKey(new Secret(key), Credential.Location.HEADER);
    int n = 200_000;
    for (int i = 0; i < n; i++) auth.authenticate(credential);   // warm-up
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) auth.authenticate(credential);
    long perCall = (System.nanoTime() - start) / n;
    System.out.println("api key cache hit: " + perCall + " ns per authenticate (format check, SHA-256, cache, rate limit)");
    assertEquals(1, store.lookups.get());
    assertTrue(perCall < 50_000, perCall + " ns");
  }

  /** The real store, with a switch that makes every call fail as an unreachable database would. */
  static final class Switchable implements ApiKeyStore {
    final ApiKeyStore real;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger recordUses = new AtomicInteger();
    /** When set, the next lookup reads at once, says so, and completes only when released. */
    final java.util.concurrent.atomic.AtomicReference<Hold> hold = new java.util.concurrent.atomic.AtomicReference<>();

    record Hold(java.util.concurrent.CountDownLatch read, io.vertx.core.Promise<Void> release) {
      Hold() {
        this(new java.util.concurrent.CountDownLatch(1), io.vertx.core.Promise.promise());
      }
    }

    Switchable(ApiKeyStore real) {
      this.real = real;
    }

    private <T> Future<T> gate(java.util.function.Supplier<Future<T>> call) {
      return down.get() ? Future.failedFuture(new java.sql.SQLTransientConnectionException("database down")) : call.get();
    }

    @Override
    public Future<Optional<StoredKey>> find(String id) {
      return gate(() -> real.find(id));
    }

    @Override
    public Future<Optional<StoredKey>> findByHash(String hash) {
      lookups.incrementAndGet();
      Hold held = hold.getAndSet(null);
      Future<Optional<StoredKey>> read = gate(() -> real.findByHash(hash));
      if (held == null) return read;
      return read.compose(r -> {
        held.read().countDown();
        return held.release().future().map(v -> r);
      });
    }

    @Override
    public Future<List<StoredKey>> list(Optional<String> owner) {
      return gate(() -> real.list(owner));
    }

    @Override
    public Future<Void> insert(StoredKey key) {
      return gate(() -> real.insert(key));
    }

    @Override
    public Future<Optional<StoredKey>> revoke(String id, Instant at) {
      return gate(() -> real.revoke(id, at));
    }

    @Override
    public Future<Optional<StoredKey>> rotate(String id, Instant now, Instant endsAt, UnaryOperator<StoredKey> successor) {
      return gate(() -> real.rotate(id, now, endsAt, successor));
    }

    @Override
    public Future<Optional<StoredKey>> change(String id, UnaryOperator<StoredKey> edit) {
      return gate(() -> real.change(id, edit));
    }

    @Override
    public Future<Void> recordUse(Map<String, Instant> lastUsed) {
      recordUses.incrementAndGet();
      return gate(() -> real.recordUse(lastUsed));
    }
  }

  @Test
  void aPostgresqlStoreThatGoesAwayAndComesBackIsPickedUpWithoutARestart() {
    TestDatabases.Db pg = TestDatabases.postgres();
    try (TcpProxy proxy = new TcpProxy(vertx, 5432).start()) {
      ApiKeysConfig viaProxy = KeyStores.config(pg.storeVia(proxy.hostPort()), "    db_timeout: 500ms");
      JdbcApiKeyStore store = new JdbcApiKeyStore(vertx, viaProxy.store());
      ApiKeyAuthenticator a = new ApiKeyAuthenticator(vertx, store, viaProxy, clock, new SecureRandom());
      try {
        String cached = await(a.admin().create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty()))).key().reveal();
        String other = await(a.admin().create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty()))).key().reveal();
        Credential c1 = new Credential.ApiKey(new Secret(cached), Credential.Location.HEADER);
        Credential c2 = new Credential.ApiKey(new Secret(other), Credential.Location.HEADER);
        assertInstanceOf(Authentication.Authenticated.class, await(a.authenticate(c1)));

        proxy.stop();
        clock.advance(Duration.ofSeconds(31));
        long t0 = System.nanoTime();
        assertInstanceOf(Authentication.Authenticated.class, await(a.authenticate(c1)));
        assertEquals(new Authentication.Unverifiable("api_key_store"), await(a.authenticate(c2)));
        System.out.println("postgres outage detected in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertTrue(!a.status().reachable());

        proxy.start();
        // Hikari replaces the dead connections in real time; each failed try costs at most db_timeout.
        long back = System.nanoTime();
        Authentication after = null;
        for (int i = 0; i < 40 && !(after instanceof Authentication.Authenticated); i++) {
          clock.advance(ApiKeyAuthenticator.STORE_RETRY);
          after = await(a.authenticate(c2));
        }
        assertInstanceOf(Authentication.Authenticated.class, after);
        System.out.println("postgres recovery picked up in " + (System.nanoTime() - back) / 1_000_000 + " ms");
      } finally {
        await(store.close());
      }
    } finally {
      pg.close();
    }
  }
}
