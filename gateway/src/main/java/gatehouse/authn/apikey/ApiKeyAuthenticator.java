package gatehouse.authn.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.CredentialLimit;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.ApiKeysConfig;
import gatehouse.credential.Credential;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies API keys: the format and checksum first (no lookup for garbage), then the hash in a
 * Caffeine cache, then the store on its worker pool. A key's stored rate limit is reported with the
 * identity ({@link Authentication.Authenticated#limit}); the limit stage enforces it.
 *
 * <p>Caching: a found key is trusted for {@code cache_ttl}, an unknown one remembered for {@code
 * negative_cache_ttl}. When the store cannot be reached, a key looked up within {@code cache_ttl +
 * stale_if_error} keeps working and any other key is {@link Authentication.Unverifiable} (503);
 * the store is then left alone for {@link #STORE_RETRY} before the next attempt, so an outage
 * costs requests no connection timeouts. A change made through this instance's {@link
 * ApiKeyAdmin} takes effect here at once; one made elsewhere, when a {@link KeyChangeListener} fed
 * with this authenticator hears of it (PostgreSQL), and within {@code cache_ttl} in any case.
 *
 * <p>A lookup that was under way when a change was heard may have read the row from before it: its
 * answer goes to the requests that asked, but not into the cache (a generation count tells).
 */
public final class ApiKeyAuthenticator implements Authenticator {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticator.class);
  /** The dependency named in 503 replies and logs. */
  public static final String DEPENDENCY = "api_key_store";
  /** After a failed lookup, how long requests are answered from the cache alone. */
  static final Duration STORE_RETRY = Duration.ofSeconds(1);
  static final String ISSUER = "api_keys";

  private final ApiKeyStore store;
  private final KeyHasher hasher;
  private final Clock clock;
  private final ApiKeysConfig config;
  private final Cache<String, Entry> cache;
  private final Map<String, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
  /** One more for each change heard of (or made here): a lookup started in an older one is not cached. */
  private final AtomicLong generation = new AtomicLong();
  private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
  private final ApiKeyAdmin admin;
  private final Vertx vertx;
  private volatile Instant storeDownUntil = Instant.MIN;
  private volatile Optional<String> lastError = Optional.empty();
  private long flushTimer = -1;
  private volatile boolean readOnly;

  /**
   * A lookup result and when it was made; {@code key} empty: the hash is unknown. A found key's
   * answer (identity and stored limit) is built once here, not on every request the cache answers.
   */
  record Entry(Optional<StoredKey> key, Instant loadedAt, Optional<Authentication.Authenticated> authenticated) {
    Entry(Optional<StoredKey> key, Instant loadedAt) {
      this(key, loadedAt, key.map(ApiKeyAuthenticator::authenticated));
    }
  }

  ApiKeyAuthenticator(Vertx vertx, ApiKeyStore store, ApiKeysConfig config, Clock clock, SecureRandom random) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.hasher = new KeyHasher(config.pepper());
    this.clock = clock;
    long keep = config.cacheTtl().plus(config.staleIfError()).toNanos();
    long negative = config.negativeCacheTtl().toNanos();
    this.cache = Caffeine.newBuilder()
        .ticker(() -> nanos(clock.instant()))
        .maximumSize(100_000)
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String hash, Entry e, long now) {
            return e.key().isPresent() ? keep : negative;
          }

          @Override
          public long expireAfterUpdate(String hash, Entry e, long now, long current) {
            return expireAfterCreate(hash, e, now);
          }

          @Override
          public long expireAfterRead(String hash, Entry e, long now, long current) {
            return current;
          }
        })
        .build();
    this.admin = new ApiKeyAdmin(store, hasher, clock, random, this::forget);
  }

  /**
   * The authenticator for {@code config}'s store, which is opened (and migrated) on first use, on a
   * worker pool of its own. Writes last-used times every {@code last_used_interval}.
   */
  public static ApiKeyAuthenticator create(Vertx vertx, ApiKeysConfig config, Clock clock) {
    ApiKeyAuthenticator a = new ApiKeyAuthenticator(vertx, new JdbcApiKeyStore(vertx, config.store()), config, clock, new SecureRandom());
    a.flushTimer = vertx.setPeriodic(config.lastUsedInterval().toMillis(), id -> a.flushLastUsed()
        .onFailure(e -> log.warn("last-used times not written, kept for the next flush: {}", e.toString())));
    return a;
  }

  /**
   * An authenticator for {@code gatehouse explain} that only reads {@code config}'s store: its
   * connections are read-only, the schema is not migrated, and last-used times are never written.
   */
  public static ApiKeyAuthenticator readOnly(Vertx vertx, ApiKeysConfig config, Clock clock) {
    ApiKeyAuthenticator a = new ApiKeyAuthenticator(vertx, new JdbcApiKeyStore(vertx, config.store(), true), config, clock, new SecureRandom());
    a.readOnly = true;
    return a;
  }

  /** Key management against the same store; revocations through it take effect here at once. */
  public ApiKeyAdmin admin() {
    return admin;
  }

  @Override
  public Future<Authentication> authenticate(Credential credential) {
    if (!(credential instanceof Credential.ApiKey)) {
      throw new IllegalArgumentException("not an API key: " + credential.getClass().getSimpleName());
    }
    String key = credential.secret().reveal();
    Optional<String> malformed = KeyFormat.problem(key);
    if (malformed.isPresent()) return rejected(malformed.get());
    String hash = hasher.hash(credential.secret());
    Instant now = clock.instant();
    Entry cached = cache.getIfPresent(hash);
    // Freshness is decided here, to the nanosecond of the injected clock; Caffeine's expiry only bounds memory.
    if (cached != null && now.isBefore(cached.loadedAt().plus(cached.key().isPresent() ? config.cacheTtl() : config.negativeCacheTtl()))) {
      return decide(hash, cached, now);
    }
    if (cached != null && (cached.key().isEmpty() || !now.isBefore(cached.loadedAt().plus(config.cacheTtl()).plus(config.staleIfError())))) {
      cached = null;   // an unknown key is never served stale; a known one only within stale_if_error
    }
    if (now.isBefore(storeDownUntil)) {
      return cached != null ? decide(hash, cached, now) : Future.succeededFuture(new Authentication.Unverifiable(DEPENDENCY));
    }
    Entry stale = cached;
    return lookup(hash).transform(ar -> {
      Instant at = clock.instant();
      if (ar.succeeded()) {
        lastError = Optional.empty();
        return decide(hash, ar.result(), at);
      }
      storeDownUntil = at.plus(STORE_RETRY);
      String error = ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
      if (!Optional.of(error).equals(lastError)) log.warn("key store {} unreachable: {}", DEPENDENCY, error);
      lastError = Optional.of(error);
      return stale != null ? decide(hash, stale, at) : Future.succeededFuture(new Authentication.Unverifiable(DEPENDENCY));
    });
  }

  /** Writes the last-used times gathered since the last flush, in one batch. */
  public Future<Void> flushLastUsed() {
    if (readOnly) lastUsed.clear();
    if (lastUsed.isEmpty()) return Future.succeededFuture();
    Map<String, Instant> batch = new HashMap<>();
    for (String id : lastUsed.keySet()) {
      Instant t = lastUsed.remove(id);
      if (t != null) batch.put(id, t);
    }
    return store.recordUse(batch).onFailure(e -> batch.forEach((id, t) -> lastUsed.merge(id, t, (a, b) -> a.isAfter(b) ? a : b)));
  }

  /** Readiness detail: the store and whether its last lookup failed. */
  public Status status() {
    return new Status(store instanceof JdbcApiKeyStore j ? j.display() : "store", lastError.isEmpty(), lastError);
  }

  /** The key store's health as the admin listener reports it. */
  public record Status(String store, boolean reachable, Optional<String> lastError) {}

  /** Writes pending last-used times, then closes the store. */
  public Future<Void> close() {
    if (flushTimer >= 0) vertx.cancelTimer(flushTimer);
    Future<Void> flushed = flushLastUsed().recover(e -> Future.succeededFuture());
    return store instanceof JdbcApiKeyStore j ? flushed.eventually(j::close) : flushed;
  }

  /**
   * The store's lookup, shared by concurrent requests for one hash, cached unless a change was
   * heard of while it ran; completes on the caller's context.
   */
  private Future<Entry> lookup(String hash) {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> shared = inFlight.putIfAbsent(hash, mine);
    if (shared == null) {
      shared = mine;
      long started = generation.get();
      // Out of the map before anyone sees the result: a later request never reuses a finished lookup.
      store.findByHash(hash).onComplete(ar -> {
        inFlight.remove(hash, mine);
        if (ar.failed()) {
          mine.completeExceptionally(ar.cause());
          return;
        }
        Entry fresh = new Entry(ar.result(), clock.instant());
        cache.put(hash, fresh);
        // Checked after the put: a change heard before it counted up first, one heard after it drops the entry itself.
        if (generation.get() != started) cache.asMap().remove(hash, fresh);
        mine.complete(fresh);
      });
    }
    return Future.fromCompletionStage(shared, context);
  }

  private Future<Authentication> decide(String hash, Entry entry, Instant now) {
    if (entry.key().isEmpty()) return rejected("unknown");
    StoredKey k = entry.key().get();
    // The lookup matched by hash in the database; compare again here without early exit.
    if (!KeyHasher.same(k.hash(), hash)) return rejected("unknown");
    ApiKeyInfo.State state = k.state(now);
    if (state != ApiKeyInfo.State.ACTIVE) return rejected(state == ApiKeyInfo.State.REVOKED ? "revoked" : "expired");
    // Once a second per key at most: both event loops writing one map entry on every request pass
    // its cache line back and forth, and a last-used time is wanted to the second, not the request.
    Instant previous = lastUsed.get(k.id());
    if (previous == null || now.getEpochSecond() != previous.getEpochSecond()) lastUsed.put(k.id(), now);
    return Future.succeededFuture(entry.authenticated().orElseThrow());
  }

  /** The key's answer: its fields as claims ({@code owner_id}, {@code scopes} sorted, {@code key_id}) and its stored limit and quota. */
  private static Authentication.Authenticated authenticated(StoredKey k) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("owner_id", k.ownerId());
    claims.put("scopes", List.copyOf(k.scopes()));
    claims.put("key_id", k.id());
    Identity identity = new Identity(k.ownerId(), Scheme.API_KEY, ISSUER, java.util.Set.of(), k.scopes(), VerifiedClaims.of(claims), k.expiresAt());
    Optional<CredentialLimit> limit = ApiKeyInfo.limit(k.id(), k.rateLimit(), k.quota());
    return new Authentication.Authenticated(identity, limit);
  }

  /** Drops what this instance cached for {@code hash}: the admin changed that key. */
  private void forget(String hash) {
    generation.incrementAndGet();
    inFlight.remove(hash);
    cache.invalidate(hash);
  }

  /**
   * Drops what this instance cached for key {@code id}: another instance or the CLI changed it.
   * Lookups under way are not joined by later requests. Safe on any thread; never blocks. A scan
   * of the cache, since it is keyed by hash: changes are rare, lookups are not.
   */
  void forgetKey(String id) {
    generation.incrementAndGet();
    inFlight.clear();
    cache.asMap().values().removeIf(e -> e.key().isPresent() && e.key().get().id().equals(id));
  }

  /** Drops every cached answer: changes may have been missed (the listener was disconnected). */
  void forgetAll() {
    generation.incrementAndGet();
    inFlight.clear();
    cache.invalidateAll();
  }

  private static Future<Authentication> rejected(String reason) {
    return Future.succeededFuture(new Authentication.Rejected(new AuthFailure(reason, "API key refused: " + reason)));
  }

  private static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
