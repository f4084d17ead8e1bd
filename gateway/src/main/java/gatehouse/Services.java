package gatehouse;

import gatehouse.authn.apikey.ApiKeyAuthenticator;
import gatehouse.authn.apikey.KeyChangeListener;
import gatehouse.authn.introspect.IntrospectionAuthenticator;
import gatehouse.authn.jwt.JwtServices;
import gatehouse.config.AccessLogConfig;
import gatehouse.config.ApiKeysConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.KeyStoreConfig;
import gatehouse.config.RedisConfig;
import gatehouse.config.TracingConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.limit.FailedAuthScreens;
import gatehouse.observe.AccessLog;
import gatehouse.observe.Metrics;
import gatehouse.proxy.Breakers;
import gatehouse.observe.Observer;
import gatehouse.proxy.BufferBudget;
import gatehouse.ratelimit.RateLimiter;
import gatehouse.ratelimit.RedisRateLimiter;
import gatehouse.revoke.DenyList;
import gatehouse.trace.RequestTracing;
import gatehouse.trace.otel.OtlpTracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of a running gateway that live as long as the process, whatever config it serves:
 * Vert.x, the clock, metrics, the rate limiter with the addresses screened by {@code
 * failed_auth_limit} (so that rate-limit state outlives a reload), the signature engine, and registries of the parts
 * that hold connections, caches or background fetches, keyed by their config record: JWT key
 * sources ({@link JwtServices}), introspection clients with their answer caches, API-key stores
 * with theirs, the listeners that hear of key changes on each PostgreSQL key store, access logs
 * and span exporters (keyed by their settings). A {@link gatehouse.server.Snapshot}
 * compiled from a config asks for its parts here; a config record {@code equals} to one seen before
 * gets the running instance, a changed one a new instance. {@link #retain} closes those no live
 * config uses any more (after a reload, once the last request on the config that used them ended).
 *
 * <p>Part of the composition root: only {@link Gatehouse} makes and uses it.
 */
final class Services {
  private final BufferBudget buffers;
  private final Vertx vertx;
  private final Clock clock;
  private final SignatureEngine engine;
  private final Metrics metrics = new Metrics();
  private final RateLimiter limiter;
  private final FailedAuthScreens screens;
  private final DenyList denyList;
  private final JwtServices jwt;
  private final Breakers breakers;
  private final Map<IntrospectionConfig, IntrospectionAuthenticator> introspection = new ConcurrentHashMap<>();
  private final Map<ApiKeysConfig, ApiKeyAuthenticator> keyStores = new ConcurrentHashMap<>();
  private final Map<KeyStoreConfig, KeyChangeListener> keyChanges = new ConcurrentHashMap<>();
  private final Map<AccessLogKey, Observer> observers = new ConcurrentHashMap<>();
  private final Map<TracingConfig, OtlpTracing> tracing = new ConcurrentHashMap<>();

  /** What an access log is opened with: its target and format, and the query parameter it redacts. */
  private record AccessLogKey(AccessLogConfig config, Optional<String> apiKeyQueryParam) {}

  /**
   * With the rate limiter and the deny-list {@code redis} asks for: shared through that Redis, or,
   * without it, this process's own. The only place that chooses; {@code redis} is read once, at start.
   */
  Services(Vertx vertx, Clock clock, SignatureEngine engine, Optional<RedisConfig> redis) {
    this(vertx, clock, engine, redis, BufferBudget.UNBOUNDED);
  }

  /** @param buffers what bodies read whole before an upstream connection is taken hold together, across reloads */
  Services(Vertx vertx, Clock clock, SignatureEngine engine, Optional<RedisConfig> redis, BufferBudget buffers) {
    this.buffers = buffers;
    this.vertx = vertx;
    this.clock = clock;
    this.engine = engine;
    if (redis.isPresent()) {
      RedisRateLimiter shared = RedisRateLimiter.create(vertx, redis.get(), clock);
      metrics.bind(shared);
      this.limiter = shared;
    } else {
      this.limiter = RateLimiter.local(clock);
    }
    this.screens = new FailedAuthScreens(clock);
    this.denyList = redis.isPresent() ? DenyList.shared(vertx, redis.get(), clock) : DenyList.local(clock);
    metrics.bind(denyList);
    this.jwt = JwtServices.create(vertx, clock, engine);
    metrics.bind(jwt);
    this.breakers = new Breakers(clock);
    metrics.bind(breakers);
  }

  /** The proxy path's circuit breakers, kept across reloads. */
  Breakers breakers() {
    return breakers;
  }

  Clock clock() {
    return clock;
  }

  SignatureEngine engine() {
    return engine;
  }

  Metrics metrics() {
    return metrics;
  }

  /** The token buckets every snapshot's limit stage takes from. */
  BufferBudget buffers() {
    return buffers;
  }

  RateLimiter limiter() {
    return limiter;
  }

  /** The addresses over each {@code failed_auth_limit}, kept across reloads as the limiter's buckets are. */
  FailedAuthScreens screens() {
    return screens;
  }

  /** The token deny-list every snapshot's bearer authenticators are guarded by, and the admin API changes. */
  DenyList denyList() {
    return denyList;
  }

  JwtServices jwt() {
    return jwt;
  }

  /**
   * The running introspection client for {@code c}, started (and its meters registered) the first
   * time this config is seen.
   *
   * @throws IllegalArgumentException as {@link IntrospectionAuthenticator#create} does; nothing is kept then
   */
  IntrospectionAuthenticator introspection(IntrospectionConfig c) {
    return introspection.computeIfAbsent(c, k -> {
      IntrospectionAuthenticator a = IntrospectionAuthenticator.create(vertx, c, clock);
      metrics.bind(a);
      return a;
    });
  }

  /**
   * The API-key authenticator of the store {@code c} names, opened the first time this config is
   * seen. On PostgreSQL it is fed by the store's one {@link KeyChangeListener}, started with it.
   */
  ApiKeyAuthenticator keyStore(ApiKeysConfig c) {
    return keyStores.computeIfAbsent(c, k -> {
      ApiKeyAuthenticator a = ApiKeyAuthenticator.create(vertx, c, clock);
      if (!c.store().sqlite()) {
        keyChanges.computeIfAbsent(c.store(), store -> {
          KeyChangeListener l = KeyChangeListener.start(store);
          metrics.bind(l);
          return l;
        }).feed(a);
      }
      return a;
    });
  }

  /** The key-change listeners, one per PostgreSQL key store in use. */
  List<KeyChangeListener> keyChanges() {
    return List.copyOf(keyChanges.values());
  }

  /**
   * The observer writing to the access log {@code config} names, redacting {@code apiKeyQueryParam},
   * with this process's metrics: opened the first time these settings are seen, so a target is
   * written by one writer.
   */
  Observer observer(AccessLogConfig config, Optional<String> apiKeyQueryParam) {
    return observers.computeIfAbsent(new AccessLogKey(config, apiKeyQueryParam),
        k -> new Observer(AccessLog.open(config, apiKeyQueryParam, clock), metrics));
  }

  /**
   * How requests are traced under {@code c}: trace context only without {@code tracing.otlp}; else
   * the span exporter for these settings, started the first time they are seen.
   */
  RequestTracing tracing(TracingConfig c) {
    if (c.otlp().isEmpty()) return RequestTracing.CONTEXT_ONLY;
    return tracing.computeIfAbsent(c, OtlpTracing::start);
  }

  /**
   * Closes the parts that none of {@code live} (the configs of the snapshots that may still serve a
   * request, and of one being compiled) asks for: remote key sources, introspection clients,
   * key stores and their change listeners, access logs, span exporters, and the screened addresses
   * of a {@code failed_auth_limit} no live config has any more. Their meters go with them. Call it from one
   * thread at a time, never while another thread compiles a snapshot over these services that
   * {@code live} does not include. The future completes when they are closed.
   */
  Future<Void> retain(java.util.Collection<gatehouse.config.GatehouseConfig> live) {
    java.util.Set<gatehouse.config.JwtProviderConfig> providers = new java.util.HashSet<>();
    java.util.Set<IntrospectionConfig> introspected = new java.util.HashSet<>();
    java.util.Set<ApiKeysConfig> stores = new java.util.HashSet<>();
    java.util.Set<AccessLogKey> logs = new java.util.HashSet<>();
    java.util.Set<TracingConfig> traced = new java.util.HashSet<>();
    java.util.Set<gatehouse.config.RateLimitConfig> failedAuth = new java.util.HashSet<>();
    for (gatehouse.config.GatehouseConfig c : live) {
      providers.addAll(c.auth().jwt());
      introspected.addAll(c.auth().introspection());
      stores.add(c.auth().keyStore());
      logs.add(new AccessLogKey(c.accessLog(), c.auth().apiKeys().queryParam()));
      traced.add(c.tracing());
      c.rateLimits().failedAuth().ifPresent(failedAuth::add);
    }
    screens.retain(failedAuth);
    jwt.retain(providers, name -> metrics.forget("gatehouse_jwks_", "provider", name));
    List<Future<Void>> closing = new ArrayList<>();
    introspection.entrySet().removeIf(e -> {
      if (introspected.contains(e.getKey())) return false;
      e.getValue().close();
      metrics.forget("gatehouse_introspection_", "provider", e.getValue().name());
      return true;
    });
    introspection.values().forEach(metrics::bind);
    keyStores.entrySet().removeIf(e -> {
      if (stores.contains(e.getKey())) return false;
      KeyChangeListener l = keyChanges.get(e.getKey().store());
      if (l != null) l.stopFeeding(e.getValue());
      closing.add(e.getValue().close());
      return true;
    });
    java.util.Set<KeyStoreConfig> storesInUse = new java.util.HashSet<>();
    keyStores.keySet().forEach(k -> storesInUse.add(k.store()));
    keyChanges.entrySet().removeIf(e -> {
      if (storesInUse.contains(e.getKey())) return false;
      closing.add(Future.fromCompletionStage(e.getValue().close()));
      metrics.forget("gatehouse_key_events", "channel", e.getValue().channel());
      return true;
    });
    keyChanges.values().forEach(metrics::bind);
    List<Observer> retired = new ArrayList<>();
    observers.entrySet().removeIf(e -> {
      if (logs.contains(e.getKey())) return false;
      retired.add(e.getValue());
      return true;
    });
    tracing.entrySet().removeIf(e -> {
      if (traced.contains(e.getKey())) return false;
      closing.add(Future.fromCompletionStage(e.getValue().close()));
      return true;
    });
    if (!retired.isEmpty()) closing.add(vertx.executeBlocking(() -> {
      retired.forEach(Observer::close);
      return null;
    }));
    return Future.join(closing).mapEmpty();
  }

  /**
   * Stops key fetches, introspection clients and key-change listeners, writes pending last-used
   * times and closes the key stores, closes the rate limiter (a shared one leaves its Redis), stops
   * metrics' JVM listeners, exports the spans still waiting, then flushes and closes the access
   * logs. Leaves Vert.x open: its owner closes it.
   */
  Future<Void> close() {
    jwt.close();
    introspection.values().forEach(IntrospectionAuthenticator::close);
    List<Future<Void>> closing = new ArrayList<>();
    keyChanges.values().forEach(l -> closing.add(Future.fromCompletionStage(l.close())));
    closing.add(limiter.close());
    closing.add(denyList.close());
    keyStores.values().forEach(a -> closing.add(a.close()));
    tracing.values().forEach(t -> closing.add(Future.fromCompletionStage(t.close())));
    metrics.close();
    // Last, so the lines of requests that ended while the rest closed are written.
    return Future.join(closing).<Void>mapEmpty().eventually(() -> vertx.executeBlocking(() -> {
      observers.values().forEach(Observer::close);
      return null;
    }));
  }
}
