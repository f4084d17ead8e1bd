package gatehouse.authn.apikey;

import static gatehouse.authn.apikey.KeyStores.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.ratelimit.CalendarQuota;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one JDBC store against both databases: every row of this matrix runs on SQLite and PostgreSQL. */
class KeyStoreTest {
  private final Vertx vertx = TestVertx.create();
  private final MutableClock clock = MutableClock.start();
  private TestDatabases.Db db;
  private JdbcApiKeyStore store;

  private ApiKeyAdmin admin(TestDatabases.Kind kind) {
    db = TestDatabases.create(kind);
    store = KeyStores.store(vertx, db);
    return new ApiKeyAdmin(store, new KeyHasher(Optional.empty()), clock, new SecureRandom(), hash -> {});
  }

  @AfterEach
  void close() {
    if (store != null) await(store.close());
    if (db != null) db.close();
    await(vertx.close());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anEmptyDatabaseIsMigratedOnFirstUseAndMigratingAgainChangesNothing(TestDatabases.Kind kind) {
    admin(kind);
    assertEquals("2", await(store.schemaVersion()));
    assertEquals(List.of(), await(store.list(Optional.empty())));
    await(store.close());
    store = KeyStores.store(vertx, db);
    assertEquals("2", await(store.schemaVersion()));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aCreatedKeyIsStoredOnlyAsItsHashAndListedWithoutSecrets(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CreatedKey k = await(admin.create(new NewKey("acme", Optional.of("ci-bot"), Set.of("orders:write", "orders:read"),
        Optional.of(600), Optional.of(Duration.ofDays(90)))));
    StoredKey stored = await(store.findByHash(new KeyHasher(Optional.empty()).hash(k.key().reveal()))).orElseThrow();
    assertEquals(k.info().id(), stored.id());
    assertFalse(stored.toString().contains(k.key().reveal()));
    List<ApiKeyInfo> listed = await(admin.list(Optional.empty()));
    assertEquals(List.of(k.info()), listed);
    ApiKeyInfo info = listed.get(0);
    assertEquals(Set.of("orders:read", "orders:write"), info.scopes());
    assertEquals(Optional.of(600), info.rateLimit());
    assertEquals(Optional.of(clock.instant().plus(Duration.ofDays(90))), info.expiresAt());
    assertEquals(ApiKeyInfo.State.ACTIVE, info.state());
    assertFalse(info.toJson().encode().contains(k.key().reveal()));
    assertFalse(info.toJson().encode().contains(stored.hash()));
    assertEquals(List.of(), await(admin.list(Optional.of("someone-else"))));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void revokingMarksTheKeyOnceAndUnknownIdsAreEmpty(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CreatedKey k = await(admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty())));
    Instant first = clock.instant();
    assertEquals(ApiKeyInfo.State.REVOKED, await(admin.revoke(k.info().id())).orElseThrow().state());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(Optional.of(first), await(admin.revoke(k.info().id())).orElseThrow().revokedAt());
    assertEquals(Optional.empty(), await(admin.revoke("key_nope")));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void rotationMakesANewKeyWithTheSameGrantsAndEndsTheOldOneAfterTheGrace(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CreatedKey old = await(admin.create(new NewKey("acme", Optional.of("ci"), Set.of("a"), Optional.of(60), Optional.empty())));
    CreatedKey next = await(admin.rotate(old.info().id(), Duration.ofHours(24))).orElseThrow();
    assertEquals(List.of("acme", "ci", "[a]", "60"), List.of(next.info().ownerId(), next.info().name().orElseThrow(),
        next.info().scopes().toString(), next.info().rateLimit().orElseThrow().toString()));
    ApiKeyInfo oldAfter = await(admin.list(Optional.empty())).stream().filter(i -> i.id().equals(old.info().id())).findFirst().orElseThrow();
    assertEquals(Optional.of(clock.instant().plus(Duration.ofHours(24))), oldAfter.expiresAt());
    assertEquals(ApiKeyInfo.State.ACTIVE, oldAfter.state());

    CreatedKey third = await(admin.rotate(next.info().id(), Duration.ZERO)).orElseThrow();
    ApiKeyInfo nextAfter = await(admin.list(Optional.empty())).stream().filter(i -> i.id().equals(next.info().id())).findFirst().orElseThrow();
    assertEquals(ApiKeyInfo.State.REVOKED, nextAfter.state());
    assertTrue(third.info().state() == ApiKeyInfo.State.ACTIVE);
    assertEquals(Optional.empty(), await(admin.rotate(next.info().id(), Duration.ZERO)), "a revoked key cannot be rotated");
    assertEquals(Optional.empty(), await(admin.rotate("key_nope", Duration.ZERO)));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aChangeSetsOnlyTheFieldsItNamesAndKeepsTheKey(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CreatedKey k = await(admin.create(new NewKey("acme", Optional.of("ci"), Set.of("a"), Optional.of(60), Optional.empty())));
    ApiKeyInfo limited = await(admin.change(k.info().id(), new KeyEdit(Optional.empty(), Optional.of(5), Optional.empty()))).orElseThrow();
    assertEquals(List.of("ci", "[a]", "Optional[5]"), List.of(limited.name().orElseThrow(), limited.scopes().toString(), limited.rateLimit().toString()));
    ApiKeyInfo renamed = await(admin.change(k.info().id(), new KeyEdit(Optional.of(Set.of("b", "c")), Optional.of(KeyEdit.NO_LIMIT),
        Optional.of("bot")))).orElseThrow();
    assertEquals(List.of("bot", "[b, c]", "Optional.empty"), List.of(renamed.name().orElseThrow(), renamed.scopes().toString(), renamed.rateLimit().toString()));
    StoredKey stored = await(store.findByHash(new KeyHasher(Optional.empty()).hash(k.key().reveal()))).orElseThrow();
    assertEquals(renamed, stored.info(clock.instant()), "the same key, changed in the store");
    assertEquals(Optional.empty(), await(admin.change("key_nope", new KeyEdit(Optional.empty(), Optional.of(5), Optional.empty()))));
    assertEquals("nothing to change (scopes, rate_limit, quota, name)", admin.change(k.info().id(),
        new KeyEdit(Optional.empty(), Optional.empty(), Optional.empty())).cause().getMessage());
    assertEquals("rate limit must be between 1 and 1000000 requests per minute", admin.change(k.info().id(),
        new KeyEdit(Optional.empty(), Optional.of(-1), Optional.empty())).cause().getMessage());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aQuotaIsStoredChangedRemovedAndKeptByRotation(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CalendarQuota daily = new CalendarQuota(10_000_000_000L, CalendarQuota.Period.DAY);
    CreatedKey k = await(admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.of(60), Optional.of(daily), Optional.empty())));
    assertEquals(Optional.of(daily), k.info().quota());
    assertEquals("10000000000/day", k.info().toJson().getString("quota"));
    assertEquals(Optional.of(daily), await(admin.find(k.info().id())).orElseThrow().quota());
    assertEquals(Optional.of(new gatehouse.authn.CredentialLimit(k.info().id(), Optional.of(gatehouse.ratelimit.Limit.perMinute(60)), Optional.of(daily))),
        await(admin.find(k.info().id())).orElseThrow().limit());

    CalendarQuota monthly = new CalendarQuota(500, CalendarQuota.Period.MONTH);
    ApiKeyInfo changed = await(admin.change(k.info().id(), new KeyEdit(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(Optional.of(monthly))))).orElseThrow();
    assertEquals(List.of(Optional.of(monthly), Optional.of(60)), List.of(changed.quota(), changed.rateLimit()));
    ApiKeyInfo renamed = await(admin.change(k.info().id(), new KeyEdit(Optional.empty(), Optional.empty(), Optional.of("x")))).orElseThrow();
    assertEquals(Optional.of(monthly), renamed.quota(), "an edit without a quota keeps it");
    CreatedKey next = await(admin.rotate(k.info().id(), Duration.ZERO)).orElseThrow();
    assertEquals(Optional.of(monthly), next.info().quota());
    ApiKeyInfo removed = await(admin.change(next.info().id(), new KeyEdit(Optional.empty(), Optional.of(KeyEdit.NO_LIMIT), Optional.empty(),
        Optional.of(Optional.empty())))).orElseThrow();
    assertEquals(Optional.empty(), removed.quota());
    assertEquals(Optional.empty(), await(admin.find(next.info().id())).orElseThrow().limit(), "neither a rate limit nor a quota");
    assertEquals(Optional.empty(), await(admin.find("key_nope")));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void lastUsedTimesAreWrittenInOneBatchAndNeverGoBack(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    CreatedKey a = await(admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty())));
    CreatedKey b = await(admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty())));
    Instant t = Instant.parse("2030-01-01T00:10:00Z");
    await(store.recordUse(Map.of(a.info().id(), t, b.info().id(), t.plusSeconds(1))));
    await(store.recordUse(Map.of(a.info().id(), t.minusSeconds(60))));
    Map<String, Optional<Instant>> used = new java.util.HashMap<>();
    await(admin.list(Optional.empty())).forEach(i -> used.put(i.id(), i.lastUsedAt()));
    assertEquals(Map.of(a.info().id(), Optional.of(t), b.info().id(), Optional.of(t.plusSeconds(1))), used);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void invalidNewKeysAreRefusedWithAMessage(TestDatabases.Kind kind) {
    ApiKeyAdmin admin = admin(kind);
    Throwable e = admin.create(new NewKey("has space", Optional.empty(), Set.of(), Optional.empty(), Optional.empty())).cause();
    assertEquals("owner must be 1 to 200 printable ASCII characters without spaces", e.getMessage());
    e = admin.create(new NewKey("acme", Optional.empty(), Set.of("a,b"), Optional.empty(), Optional.empty())).cause();
    assertEquals("scope 'a,b' must be printable ASCII without spaces or commas", e.getMessage());
    e = admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.of(0), Optional.empty())).cause();
    assertEquals("rate limit must be between 1 and 1000000 requests per minute", e.getMessage());
  }

  @Test
  void onPostgresqlEveryChangeIsAnnouncedOnCommitWithTheIdOnlyAndAFailedOneNotAtAll() throws Exception {
    ApiKeyAdmin admin = admin(TestDatabases.Kind.POSTGRESQL);
    String channel = KeyChange.channel(KeyStores.config(db.store()).store());
    assertTrue(channel.startsWith("gatehouse_api_keys_gh_test_"), channel);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + TestDatabases.PG_HOST_PORT + "/test",
        TestDatabases.PG_USER, "")) {
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("LISTEN \"" + channel + "\"");
      }
      org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
      CreatedKey k = await(admin.create(new NewKey("acme", Optional.empty(), Set.of(), Optional.empty(), Optional.empty())));
      CreatedKey next = await(admin.rotate(k.info().id(), Duration.ofHours(1))).orElseThrow();
      await(admin.change(next.info().id(), new KeyEdit(Optional.empty(), Optional.of(5), Optional.empty())));
      await(admin.revoke(next.info().id()));
      await(admin.revoke(next.info().id()));
      assertEquals(Optional.empty(), await(admin.revoke("key_nope")));
      StoredKey taken = await(store.findByHash(new KeyHasher(Optional.empty()).hash(k.key().reveal()))).orElseThrow();
      assertTrue(store.insert(taken).toCompletionStage().toCompletableFuture().handle((v, e) -> e != null).get(), "a duplicate is refused");

      List<String> heard = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (heard.size() < 6 && System.nanoTime() < deadline) {
        org.postgresql.PGNotification[] got = pg.getNotifications(100);
        if (got != null) for (org.postgresql.PGNotification n : got) heard.add(n.getParameter());
      }
      org.postgresql.PGNotification[] more = pg.getNotifications(200);
      assertTrue(more == null || more.length == 0, "nothing for the unknown id or the refused insert");
      assertEquals(List.of(
          new KeyChange("created", k.info().id()).payload(),
          new KeyChange("rotated", k.info().id()).payload(),
          new KeyChange("created", next.info().id()).payload(),
          new KeyChange("changed", next.info().id()).payload(),
          new KeyChange("revoked", next.info().id()).payload(),
          new KeyChange("revoked", next.info().id()).payload()), heard);
      for (String payload : heard) {
        assertFalse(payload.contains(taken.hash()) || payload.contains(taken.displayPrefix()) || payload.contains(k.key().reveal()), payload);
      }
    }
  }
}
