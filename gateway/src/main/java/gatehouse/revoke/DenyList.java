package gatehouse.revoke;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.authn.ClaimPath;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.config.RedisConfig;
import gatehouse.credential.Credential;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deny-list of this process: a local, immutable copy looked up on every verified bearer token
 * (no I/O per request), changed through {@link #add} and {@link #remove}. With Redis ({@link
 * #shared}) every change is written there and published, every instance applies it within
 * milliseconds and reloads the whole list when its subscription (re)connects; without Redis
 * ({@link #local}) the list is this process's alone. Entries are dropped when they expire.
 */
public final class DenyList implements MeterBinder {
  /** The RFC 6750 {@code error_description} of a refused token: the same for every kind of entry. */
  public static final String REVOKED = "token_revoked";
  private static final ClaimPath ISS = ClaimPath.parse("iss");
  private static final ClaimPath JTI = ClaimPath.parse("jti");
  private static final ClaimPath IAT = ClaimPath.parse("iat");

  private final Clock clock;
  private final Optional<RedisDenyStore> store;
  private final AtomicLong denied = new AtomicLong();
  private volatile Index index = Index.EMPTY;

  private DenyList(Clock clock, Vertx vertx, Optional<RedisConfig> redis) {
    this.clock = clock;
    this.store = redis.map(r -> new RedisDenyStore(vertx, r, clock, this));
  }

  /** A list for this process alone. */
  public static DenyList local(Clock clock) {
    return new DenyList(clock, null, Optional.empty());
  }

  /**
   * A list shared through the Redis {@code config} names: subscribes and loads the entries in the
   * background; until then (and while Redis is away) the local copy is enforced as it stands.
   */
  public static DenyList shared(Vertx vertx, RedisConfig config, Clock clock) {
    DenyList list = new DenyList(clock, vertx, Optional.of(config));
    list.store.get().start();
    return list;
  }

  /** Whether changes reach other instances (Redis is configured). */
  public boolean isShared() {
    return store.isPresent();
  }

  /**
   * {@code inner}, whose {@code Authenticated} answers for a bearer token the list refuses become
   * {@code Rejected(token_revoked)}. Every answer passes through, cache hits included, so a token
   * denied after it was cached is refused at its next use.
   */
  public Authenticator guard(Authenticator inner) {
    return credential -> inner.authenticate(credential).map(answer -> check(credential, answer));
  }

  private Authentication check(Credential credential, Authentication answer) {
    Index i = index;
    if (i.isEmpty() || !(answer instanceof Authentication.Authenticated a) || !(credential instanceof Credential.BearerToken bearer)) {
      return answer;
    }
    Identity id = a.identity();
    String issuer = text(id.claims().at(ISS)).orElse(id.issuer());
    String jti = text(id.claims().at(JTI)).orElse(null);
    Instant iat = id.claims().at(IAT).map(ClaimValue::value).filter(Number.class::isInstance)
        .map(n -> Instant.ofEpochSecond(((Number) n).longValue())).orElse(null);
    DenyEntry hit = i.match(bearer.secret().hash(), issuer, jti, id.subject().isEmpty() ? null : id.subject(), iat, clock.instant());
    if (hit == null) return answer;
    denied.incrementAndGet();
    return new Authentication.Rejected(new AuthFailure(REVOKED, "token " + bearer.secret().fingerprint() + ": deny-list entry " + hit.id()));
  }

  private static Optional<String> text(Optional<ClaimValue> v) {
    return v.map(ClaimValue::value).filter(String.class::isInstance).map(String.class::cast);
  }

  /**
   * Adds an entry for {@code match}, kept for {@code expiresIn}, replacing one with the same id.
   * Enforced here at once. The future never fails: it says whether Redis holds the entry (or
   * whether there is no Redis); when Redis cannot be reached the entry is still enforced here and is
   * written when Redis answers again.
   */
  public Future<Added> add(DenyEntry.Match match, Duration expiresIn) {
    if (expiresIn.isNegative() || expiresIn.isZero()) throw new IllegalArgumentException("expires_in must be positive");
    Instant now = clock.instant();
    DenyEntry e = new DenyEntry(match, now, now.plus(expiresIn));
    apply(e);
    if (store.isEmpty()) return Future.succeededFuture(new Added(e, true));
    return store.get().write(e).map(v -> new Added(e, true)).otherwise(new Added(e, false));
  }

  /** An entry {@link #add} made, and whether it is shared yet (always, without Redis: there is no one to share with). */
  public record Added(DenyEntry entry, boolean shared) {}

  /**
   * Removes the entry {@code id}: completes with whether this instance or Redis held it; fails when
   * Redis cannot be reached (the removal is then written when it answers again).
   */
  public Future<Boolean> remove(String id) {
    boolean held = index.byId.containsKey(id);
    applyRemoval(id);
    if (store.isEmpty()) return Future.succeededFuture(held);
    return store.get().delete(id).map(inRedis -> held || inRedis);
  }

  /** The entries in force on this instance, oldest first. */
  public List<DenyEntry> list() {
    Instant now = clock.instant();
    List<DenyEntry> out = new ArrayList<>(index.live(now).byId.values());
    out.sort(Comparator.comparing(DenyEntry::createdAt).thenComparing(DenyEntry::id));
    return out;
  }

  /** Whether the subscription is up and the last reload succeeded (always true without Redis). */
  public boolean synced() {
    return store.map(RedisDenyStore::synced).orElse(true);
  }

  /** Completes when the first reload from Redis finished (at once without Redis). */
  public Future<Void> ready() {
    return store.map(RedisDenyStore::ready).orElse(Future.succeededFuture());
  }

  synchronized void apply(DenyEntry e) {
    index = index.live(clock.instant()).with(e);
  }

  synchronized void applyRemoval(String id) {
    index = index.without(id);
  }

  synchronized void replace(List<DenyEntry> entries) {
    Instant now = clock.instant();
    index = Index.of(entries.stream().filter(e -> !e.expired(now)).toList());
  }

  Index index() {
    return index;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("gatehouse_tokens_denied_total", denied, AtomicLong::get)
        .description("verified bearer tokens refused because the deny-list holds them").register(registry);
    Gauge.builder("gatehouse_denylist_entries", this, l -> l.index.size())
        .description("deny-list entries this instance enforces").register(registry);
    store.ifPresent(s -> s.bindTo(registry));
  }

  /** Stops following Redis; the local copy stays as it is. */
  public Future<Void> close() {
    return store.map(RedisDenyStore::close).orElse(Future.succeededFuture());
  }
}
