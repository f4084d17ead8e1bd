package gatehouse.authn.jwt;

import gatehouse.config.JwtProviderConfig;
import gatehouse.crypto.SignatureEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * What outlives one config's {@link JwtAuthenticator}: the remote key sources (JWKS fetchers), one
 * per provider config, and the verified-token cache. Authenticators built from successive configs
 * over the same services share a provider's fetcher exactly when its {@link JwtProviderConfig}s are
 * {@code equals}; a changed provider gets a new one. Local key sources (files, secrets) are read
 * again by every authenticator.
 *
 * <p>Safe to use from any thread. {@link #close} stops every fetcher it started.
 */
public final class JwtServices implements MeterBinder, AutoCloseable {
  private final Vertx vertx;
  private final Clock clock;
  private final SignatureEngine engine;
  private final RemoteKeySource.Tuning tuning;
  private final VerifiedTokenCache cache;
  private final Map<JwtProviderConfig, KeySource> remote = new ConcurrentHashMap<>();
  /**
   * Remote providers compiled, by config: a reload keeps an unchanged provider's compiled instance,
   * so the verified-token cache, whose entries answer only for the instance that verified them,
   * carries over.
   */
  private final Map<JwtProviderConfig, JwtProvider> compiled = new ConcurrentHashMap<>();
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

  JwtServices(Vertx vertx, Clock clock, SignatureEngine engine, RemoteKeySource.Tuning tuning, int cacheSize) {
    this.vertx = vertx;
    this.clock = clock;
    this.engine = engine;
    this.tuning = tuning;
    this.cache = new VerifiedTokenCache(cacheSize, clock);
  }

  /** Services that fetch remote key sets on {@code vertx}, read time from {@code clock} and check signatures on {@code engine}. */
  public static JwtServices create(Vertx vertx, Clock clock, SignatureEngine engine) {
    return new JwtServices(vertx, clock, engine, RemoteKeySource.Tuning.DEFAULTS, VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /**
   * Services that never fetch: a remote provider has no keys, so its tokens are {@code
   * Unverifiable} ({@code gatehouse explain --offline}).
   */
  public static JwtServices offline(Clock clock, SignatureEngine engine) {
    return new JwtServices(null, clock, engine, RemoteKeySource.Tuning.DEFAULTS, VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /** Whether remote key sources are fetched (false without a Vert.x, as some tests make them). */
  boolean fetches() {
    return vertx != null;
  }

  /**
   * The running key source of remote provider {@code c}, made by {@code start} the first time this
   * config is seen. {@code start} throws {@code IllegalArgumentException} for an invalid provider;
   * nothing is kept then.
   */
  KeySource remote(JwtProviderConfig c, Function<JwtProviderConfig, KeySource> start) {
    return remote.computeIfAbsent(c, config -> {
      KeySource source = start.apply(config);
      // A source that replaces one of the same name registers its meters once the old one is gone (retain).
      if (remote.keySet().stream().noneMatch(k -> k.name().equals(config.name()))) registries.forEach(source::bindTo);
      return source;
    });
  }

  /** The compiled provider of remote provider {@code c}, made by {@code compile} the first time this config is seen. */
  JwtProvider compiled(JwtProviderConfig c, java.util.function.Supplier<JwtProvider> compile) {
    JwtProvider p = compiled.get(c);
    if (p != null) return p;
    p = compile.get();
    JwtProvider before = compiled.putIfAbsent(c, p);
    return before == null ? p : before;
  }

  Vertx vertx() {
    return vertx;
  }

  Clock clock() {
    return clock;
  }

  SignatureEngine engine() {
    return engine;
  }

  RemoteKeySource.Tuning tuning() {
    return tuning;
  }

  VerifiedTokenCache cache() {
    return cache;
  }

  /**
   * Registers each remote source's JWKS meters (those started later too) and the verified-token
   * cache's as {@code cache="jwt_verified_tokens"} (Micrometer's Caffeine binder: {@code
   * cache_gets_total} by hit and miss, {@code cache_evictions_total}, {@code cache_size}).
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    if (registries.contains(registry)) return;
    registries.add(registry);
    remote.values().forEach(source -> source.bindTo(registry));
    cache.bindTo(registry, "jwt_verified_tokens");
  }

  /**
   * Stops the remote sources of providers not in {@code live} (their config changed or went away,
   * and no live snapshot uses them) and forgets them; {@code forget} is given each one's provider
   * name, to drop its meters. The verified-token cache is shared: its entries carry the key that
   * verified them, so none outlives its source's config.
   */
  public void retain(java.util.Set<JwtProviderConfig> live, java.util.function.Consumer<String> forget) {
    compiled.keySet().retainAll(live);
    java.util.Set<String> forgotten = new java.util.HashSet<>();
    remote.entrySet().removeIf(e -> {
      if (live.contains(e.getKey())) return false;
      e.getValue().close();
      forget.accept(e.getKey().name());
      forgotten.add(e.getKey().name());
      return true;
    });
    // A source that replaced one of the same name registers its meters now that the old ones are gone.
    remote.forEach((config, source) -> {
      if (forgotten.contains(config.name())) registries.forEach(source::bindTo);
    });
  }

  /** Stops every remote source's background refreshes and HTTP client; idempotent. */
  @Override
  public void close() {
    remote.values().forEach(KeySource::close);
  }
}
