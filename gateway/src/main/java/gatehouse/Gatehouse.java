package gatehouse;

import gatehouse.authn.Authenticator;
import gatehouse.authn.apikey.ApiKeyAdmin;
import gatehouse.authn.apikey.ApiKeyAuthenticator;
import gatehouse.authn.apikey.KeyChangeListener;
import gatehouse.authn.bearer.BearerAuthenticator;
import gatehouse.authn.introspect.IntrospectionAuthenticator;
import gatehouse.authn.jwt.JwtAuthenticator;
import gatehouse.authn.mtls.MtlsAuthenticator;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.Policy;
import gatehouse.config.ShutdownConfig;
import gatehouse.config.UpstreamConfig;
import gatehouse.credential.CredentialExtractor;
import gatehouse.crypto.SignatureEngine;
import gatehouse.identity.IdentityHeaders;
import gatehouse.identity.UpstreamSigners;
import gatehouse.limit.Limits;
import gatehouse.observe.Metrics;
import gatehouse.observe.Observer;
import gatehouse.pipeline.Authenticators;
import gatehouse.pipeline.Pipeline;
import gatehouse.proxy.BodyLimits;
import gatehouse.proxy.BufferBudget;
import gatehouse.revoke.DenyList;
import gatehouse.proxy.ClientAddresses;
import gatehouse.route.RouteTable;
import gatehouse.server.AdminServer;
import gatehouse.server.CurrentSnapshot;
import gatehouse.server.Drain;
import gatehouse.server.PrematureResets;
import gatehouse.server.GatewayInstances;
import gatehouse.server.GatewayVerticle;
import gatehouse.server.ListenerTls;
import gatehouse.server.Readiness;
import gatehouse.server.Reloads;
import gatehouse.server.Snapshot;
import gatehouse.transport.ConnectionBudget;
import gatehouse.transport.NetworkTransport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: the only place that wires the gateway's parts with {@code new}, with {@link
 * Services}, the parts that live as long as the process. {@link #compile} turns a validated config
 * into a {@link Snapshot} over those services; {@link #start} makes the services and the first
 * snapshot and binds the listeners, which read the {@link CurrentSnapshot} once per request.
 */
public final class Gatehouse {
  private static final Logger log = LoggerFactory.getLogger(Gatehouse.class);

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final AdminServer admin;
  private final int port;
  private final int adminPort;
  private final GatewayInstances gateway;
  private final Services services;
  private final CurrentSnapshot current;
  private final Optional<ListenerTls> tls;
  private final Drain drain;
  private final Reloader reloader;

  private Gatehouse(Vertx vertx, boolean ownsVertx, AdminServer admin, int port, int adminPort, GatewayInstances gateway,
      Services services, CurrentSnapshot current, Optional<ListenerTls> tls, Drain drain, Reloader reloader) {
    this.vertx = vertx;
    this.drain = drain;
    this.reloader = reloader;
    this.services = services;
    this.current = current;
    this.tls = tls;
    this.gateway = gateway;
    this.ownsVertx = ownsVertx;
    this.admin = admin;
    this.port = port;
    this.adminPort = adminPort;
  }

  /**
   * Compiles {@code config} into snapshot number {@code generation} over {@code services}: the route
   * table (refusing shadowed routes), the authenticators (loading key files; remote key sources,
   * introspection clients and key stores come from {@code services}, shared with every snapshot
   * whose config for them is equal), the upstream signers and the access-log settings. Throws what
   * {@code gatehouse validate} reports.
   */
  static Snapshot compile(GatehouseConfig config, Services services, long generation) throws ConfigException {
    String file = config.source().toString();
    Clock clock = services.clock();
    RouteTable routes = RouteTable.compile(config.routes(), file);
    // The config readers checked everything below (key files included): nothing here refuses a config.
    Optional<JwtAuthenticator> jwt = config.auth().jwt().isEmpty()
        ? Optional.empty()
        : Optional.of(JwtAuthenticator.create(services.jwt(), config.auth().jwt()));
    List<IntrospectionAuthenticator> introspection = new ArrayList<>();
    for (IntrospectionConfig c : config.auth().introspection()) introspection.add(services.introspection(c));
    // Every bearer answer, cache hits included, passes the deny-list.
    Optional<Authenticator> bearer = BearerAuthenticator.of(jwt.map(a -> services.denyList().guard(a)), jwtIssuers(config),
        introspectors(introspection, services.denyList()));
    UpstreamSigners signers = UpstreamSigners.compile(config, clock, new SecureRandom(), services.engine());
    IdentityHeaders identityHeaders = new IdentityHeaders(config);
    Optional<Authenticator> mtls = clientCertificates(config) ? Optional.of(MtlsAuthenticator.create(clock)) : Optional.empty();
    Optional<ApiKeyAuthenticator> apiKeys = acceptsApiKeys(config)
        ? Optional.of(services.keyStore(config.auth().keyStore()))
        : Optional.empty();
    Authenticators authenticators = new Authenticators(bearer, apiKeys.map(a -> (Authenticator) a), mtls);
    CredentialExtractor extractor = new CredentialExtractor(config.auth().apiKeys());
    Pipeline pipeline = new Pipeline(routes, extractor, authenticators, Limits.compile(services.limiter(), services.screens(), config.rateLimits(), config.routes(), clock), identityHeaders);
    Observer observer = services.observer(config.accessLog(), config.auth().apiKeys().queryParam());
    Snapshot.UpstreamSpecs upstreams = new Snapshot.UpstreamSpecs(config.upstreams(), config.forwarding(),
        config.limits().headerReadTimeout(), new BodyLimits(config.limits().bodyTimeout(), config.limits().bufferBodyBytes(),
            config.limits().bodyMinRate(), config.limits().bodyMinRateGrace(), services.buffers()));
    List<IntrospectionAuthenticator> introspectionChecks = List.copyOf(introspection);
    return new Snapshot(generation, pipeline, routes, upstreams, signers, observer,
        () -> readiness(jwt, introspectionChecks, apiKeys), apiKeys.map(ApiKeyAuthenticator::admin), config.auth().keyStore().adminApi(),
        services.breakers(), ClientAddresses.compile(config.forwarding()),
        services.tracing(config.tracing()));
  }

  /**
   * {@code config}'s stages for {@code gatehouse explain}, as {@link #compile} builds them, told to
   * {@code listener}, over parts that serve nothing: remote keys are fetched on {@code vertx} and
   * tokens introspected unless {@code offline} (then their tokens are unverifiable), API keys are
   * only read, rate limits ask {@code limiter}, and no deny-list is consulted.
   */
  public static gatehouse.explain.Stages explainStages(GatehouseConfig config, Vertx vertx, Clock clock, boolean offline,
      gatehouse.ratelimit.RateLimiter limiter, gatehouse.pipeline.StageListener listener) throws ConfigException {
    RouteTable routes = RouteTable.compile(config.routes(), config.source().toString());
    SignatureEngine engine = SignatureEngine.select(config.crypto());
    gatehouse.authn.jwt.JwtServices keys = offline ? gatehouse.authn.jwt.JwtServices.offline(clock, engine)
        : gatehouse.authn.jwt.JwtServices.create(vertx, clock, engine);
    Optional<JwtAuthenticator> jwt = config.auth().jwt().isEmpty() ? Optional.empty() : Optional.of(JwtAuthenticator.create(keys, config.auth().jwt()));
    List<BearerAuthenticator.Introspector> introspection = new ArrayList<>();
    List<IntrospectionAuthenticator> started = new ArrayList<>();
    for (IntrospectionConfig c : config.auth().introspection()) {
      Authenticator a;
      if (offline) {
        a = credential -> Future.succeededFuture(new gatehouse.authn.Authentication.Unverifiable("introspection:" + c.name()));
      } else {
        IntrospectionAuthenticator real = IntrospectionAuthenticator.create(vertx, c, clock);
        started.add(real);
        a = real;
      }
      introspection.add(new BearerAuthenticator.Introspector(c.name(), c.issuer(), a));
    }
    Optional<Authenticator> bearer = BearerAuthenticator.of(jwt.map(a -> a), jwtIssuers(config), introspection);
    Optional<ApiKeyAuthenticator> apiKeys = acceptsApiKeys(config)
        ? Optional.of(ApiKeyAuthenticator.readOnly(vertx, config.auth().keyStore(), clock)) : Optional.empty();
    Authenticators authenticators = new Authenticators(bearer, apiKeys.map(a -> (Authenticator) a), Optional.empty());
    Pipeline pipeline = new Pipeline(routes, new CredentialExtractor(config.auth().apiKeys()), authenticators,
        Limits.compile(limiter, config.rateLimits(), config.routes(), clock), new IdentityHeaders(config), listener);
    UpstreamSigners signers = UpstreamSigners.compile(config, clock, new SecureRandom(), engine);
    return new gatehouse.explain.Stages(pipeline, routes, jwt, signers, () -> {
      keys.close();
      started.forEach(IntrospectionAuthenticator::close);
      return Future.join(apiKeys.map(ApiKeyAuthenticator::close).orElse(Future.succeededFuture()), Future.succeededFuture()).mapEmpty();
    });
  }

  /** The admin {@code /ready} checks of one snapshot's dependencies, as they are now. */
  private static List<Readiness> readiness(Optional<JwtAuthenticator> jwt, List<IntrospectionAuthenticator> introspection,
      Optional<ApiKeyAuthenticator> apiKeys) {
    List<Readiness> checks = new ArrayList<>();
    checks.add(new Readiness("config", true, "loaded"));
    // An unreachable key store does not make the gateway unready: cached keys and JWTs still work.
    apiKeys.ifPresent(a -> {
      ApiKeyAuthenticator.Status st = a.status();
      checks.add(new Readiness("api_keys", true, st.reachable(), st.store() + (st.reachable() ? "" : ", last error: " + st.lastError().orElse(""))));
    });
    jwt.ifPresent(a -> a.status().forEach(s -> checks.add(new Readiness("jwt:" + s.provider(), s.ready(),
        s.ready() && s.lastError().isEmpty(),
        s.source() + ", " + s.keyCount() + " keys" + s.age().map(age -> ", age " + age.toSeconds() + "s").orElse("")
            + s.lastError().map(e -> ", last error: " + e).orElse("")))));
    // Always ready: an authorization server outage fails only its own tokens (503), and taking
    // the gateway out of rotation would fail JWT, API-key and public routes too.
    introspection.forEach(a -> {
      IntrospectionAuthenticator.Status s = a.status();
      checks.add(new Readiness("introspection:" + s.provider(), true, s.breaker().equals("closed"), "breaker " + s.breaker() + ", " + s.cached()
          + " cached, " + s.calls() + " calls" + s.lastError().map(e -> ", last error: " + e).orElse("")));
    });
    return checks;
  }

  /**
   * One {@code gatehouse_dependency_ready} gauge per readiness check, each asking the snapshot that
   * is current at scrape time.
   */
  private static void exportReadiness(Metrics metrics, CurrentSnapshot current) {
    for (Readiness check : current.get().readiness().get()) {
      String name = check.name();
      metrics.gauge(name, () -> current.get().readiness().get().stream().anyMatch(c -> c.name().equals(name) && c.up()));
    }
  }

  /** How many connections the listeners hold, refused or evicted at the cap, and how often accepting failed or paused (README, Operations). */
  private static void exportConnections(MeterRegistry registry) {
    Gauge.builder("gatehouse_connections_open", () -> NetworkTransport.listenerCounts().open())
        .description("connections the gateway and admin listeners hold").register(registry);
    FunctionCounter.builder("gatehouse_connections_refused_total", registry, r -> NetworkTransport.listenerCounts().refused())
        .description("connections closed as soon as accepted because their listener held limits.max_connections").register(registry);
    FunctionCounter.builder("gatehouse_connections_evicted_total", registry, r -> NetworkTransport.listenerCounts().evicted())
        .description("idle connections closed to make room for a new one at limits.max_connections").register(registry);
    FunctionCounter.builder("gatehouse_connections_premature_resets_total", registry, r -> PrematureResets.connectionsClosed())
        .description("HTTP/2 connections closed because their client reset most of their streams before an answer (rapid reset)").register(registry);
    FunctionCounter.builder("gatehouse_accept_failures_total", registry, r -> NetworkTransport.listenerCounts().acceptFailures())
        .description("accepts that failed (EMFILE, ENFILE, a client gone before the accept)").register(registry);
    FunctionCounter.builder("gatehouse_accept_pauses_total", registry, r -> NetworkTransport.listenerCounts().acceptPauses())
        .description("times a listener stopped accepting for a while because the process was out of descriptors").register(registry);
  }

  /** {@code limits.max_connections}, or its default ({@link ConnectionBudget}) for this process and {@code eventLoops}. */
  static int maxConnections(GatehouseConfig config, int eventLoops) {
    long upstreams = config.upstreams().values().stream().mapToLong(UpstreamConfig::maxConnections).sum() * eventLoops;
    return config.limits().maxConnections().orElseGet(() -> ConnectionBudget.defaultMax(upstreams, config.limits().maxHeaderBytes()));
  }

  /**
   * Key management for {@code gatehouse keys}: the authenticator of {@code config}'s key store,
   * whose {@link ApiKeyAuthenticator#admin()} the CLI uses. The caller closes it.
   */
  public static ApiKeyAuthenticator keyStore(GatehouseConfig config, Vertx vertx, Clock clock) {
    return ApiKeyAuthenticator.create(vertx, config.auth().keyStore(), clock);
  }

  /**
   * Whether API keys are in play: a route (or the default policy) accepts them, or the admin API
   * manages them. Otherwise no store is built and no database file is ever created.
   */
  private static boolean acceptsApiKeys(GatehouseConfig config) {
    boolean routes = config.routes().stream().anyMatch(r -> r.policy() instanceof Policy.ApiKey || r.policy() instanceof Policy.Any);
    return routes || config.auth().keyStore().adminApi().token().isPresent();
  }

  /**
   * How long a deny-list entry is kept when its request names no expiry: the longest {@code
   * max_token_lifetime} when every JWT provider and introspection sets one (no token they accept
   * outlives it), else {@link #DEFAULT_DENY_EXPIRY}.
   */
  public static java.time.Duration defaultDenyExpiry(GatehouseConfig config) {
    java.time.Duration longest = java.time.Duration.ZERO;
    List<Optional<java.time.Duration>> all = new ArrayList<>();
    config.auth().jwt().forEach(p -> all.add(p.rules().maxLifetime()));
    config.auth().introspection().forEach(p -> all.add(p.rules().maxLifetime()));
    for (Optional<java.time.Duration> d : all) {
      if (d.isEmpty()) return DEFAULT_DENY_EXPIRY;
      if (d.get().compareTo(longest) > 0) longest = d.get();
    }
    return all.isEmpty() ? DEFAULT_DENY_EXPIRY : longest;
  }

  /** A deny-list entry's expiry when nothing bounds the lifetime of accepted tokens. */
  public static final java.time.Duration DEFAULT_DENY_EXPIRY = java.time.Duration.ofDays(1);

  private static boolean clientCertificates(GatehouseConfig config) {
    return config.listen().tls().flatMap(t -> t.clientCa()).isPresent();
  }

  private static java.util.Set<String> jwtIssuers(GatehouseConfig config) {
    java.util.Set<String> issuers = new java.util.HashSet<>();
    for (JwtProviderConfig p : config.auth().jwt()) issuers.add(p.issuer());
    return issuers;
  }

  private static List<BearerAuthenticator.Introspector> introspectors(List<IntrospectionAuthenticator> all, DenyList denyList) {
    List<BearerAuthenticator.Introspector> out = new ArrayList<>();
    for (IntrospectionAuthenticator a : all) out.add(new BearerAuthenticator.Introspector(a.name(), a.issuer(), denyList.guard(a)));
    return out;
  }

  /**
   * What {@link #compile} checks that the config readers do not (the route table), without starting
   * anything: what {@code gatehouse validate} runs after loading.
   */
  public static void check(GatehouseConfig config) throws ConfigException {
    RouteTable.compile(config.routes(), config.source().toString());
  }

  /** A Vert.x instance for the gateway on {@code transport}, one event loop per core; says which transport, and why not io_uring. */
  public static Vertx newVertx(NetworkTransport transport) {
    return newVertx(transport, Integer.MAX_VALUE);
  }

  /** As {@link #newVertx(NetworkTransport)}, each listener holding at most {@code maxConnections} connections. */
  private static Vertx newVertx(NetworkTransport transport, int maxConnections) {
    transport.fallbackReason().ifPresent(why -> log.warn("transport: {} (io_uring is faster; not used because {})", transport, why));
    log.info("transport: {}", transport);
    return transport.newVertx(Runtime.getRuntime().availableProcessors(), maxConnections);
  }

  /** Starts the gateway on a Vert.x of its own, closed by {@link #close}. */
  public static Future<Gatehouse> start(GatehouseConfig config, Clock clock) {
    if (config.crypto() != SignatureEngine.Choice.JDK) SignatureEngine.preload();
    int maxConnections = maxConnections(config, Runtime.getRuntime().availableProcessors());
    log.info("limits.max_connections: {} per listener{}", maxConnections,
        config.limits().maxConnections().isPresent() ? "" : " (the default for the descriptor limit and the heap)");
    Vertx vertx = newVertx(NetworkTransport.select(config.transport()), maxConnections);
    return start(config, clock, vertx, true).onFailure(e -> vertx.close());
  }

  /** Starts the gateway on {@code vertx}; {@link #close} leaves {@code vertx} open unless it owns it. */
  public static Future<Gatehouse> start(GatehouseConfig config, Clock clock, Vertx vertx, boolean ownsVertx) {
    SignatureEngine engine = SignatureEngine.select(config.crypto());
    engine.fallbackReason().ifPresentOrElse(
        why -> log.warn("crypto: signatures use the JDK, slower: the native provider cannot be used here: {}", why),
        () -> log.info("crypto: signatures use {}", engine));
    long buffered = config.limits().bufferBodyTotal().orElseGet(() -> ConnectionBudget.heapForClients() / 4);
    log.info("limits.buffer_body_total: {} bytes{}", buffered, config.limits().bufferBodyTotal().isPresent() ? "" : " (the default for the heap)");
    Services services = new Services(vertx, clock, engine, config.redis(), new BufferBudget(buffered));
    CurrentSnapshot current;
    try {
      current = new CurrentSnapshot(compile(config, services, 1), clock);
    } catch (ConfigException e) {
      return services.close().transform(ignored -> Future.failedFuture(e));
    }
    exportReadiness(services.metrics(), current);
    services.metrics().bind(current.occupancy());
    int port = config.listen().port() == 0 ? freePort(config.listen().host()) : config.listen().port();
    GatehouseConfig bound = withListenPort(config, port);
    Optional<ListenerTls> tls;
    try {
      tls = config.listen().tls().map(t -> ListenerTls.load(vertx, t, clock));
    } catch (IllegalArgumentException e) {
      // The reader checked the files; they changed since.
      String message = e.getMessage().startsWith("listen.tls: ") ? e.getMessage().substring("listen.tls: ".length()) : e.getMessage();
      return services.close().transform(ignored -> Future.failedFuture(config.problem("listen.tls", message)));
    }
    Drain drain = new Drain();
    AdminServer admin = new AdminServer(vertx, current, services.metrics(), clock, services.denyList(), defaultDenyExpiry(config),
        services.limiter(), drain);
    Reloader reloader = new Reloader(config, services, (c, generation) -> compile(c, services, generation), current, vertx);
    services.metrics().bind(reloader);
    admin.reloadWith(reloader);
    services.metrics().bind(Gatehouse::exportConnections);
    return GatewayInstances.start(vertx, () -> new GatewayVerticle(bound, current, tls, drain))
        .recover(e -> { reloader.close(); return Future.failedFuture(e); })
        .recover(e -> services.close().transform(ignored -> Future.failedFuture(listenProblem(config, "listen", port, e))))
        .compose(gateway -> admin.listen(config.admin().host(), config.admin().port())
            .recover(e -> gateway.close().eventually(() -> { reloader.close(); return services.close(); })
                .transform(ignored -> Future.failedFuture(listenProblem(config, "admin", config.admin().port(), e))))
            .map(adminPort -> {
              log.info("gatehouse listening on {}:{}{} (admin {}:{}), {} routes", config.listen().host(), port,
                  tls.isPresent() ? " with TLS" : "", config.admin().host(), adminPort, config.routes().size());
              tls.ifPresent(ListenerTls::watch);
              return new Gatehouse(vertx, ownsVertx, admin, port, adminPort, gateway, services, current, tls, drain, reloader);
            }));
  }

  public int port() {
    return port;
  }

  public int adminPort() {
    return adminPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Reloading the config file: {@code POST /reload}, {@code SIGHUP} and the file watch go through it. */
  public Reloads reloads() {
    return reloader;
  }

  /** Reloads the config file when it changes (checked every {@code interval}; see {@link Reloader#watch}). */
  public void watchConfig(java.time.Duration interval) {
    reloader.watch(interval);
  }

  /** The listener's TLS, when configured: tests make it re-read the files at once. */
  public Optional<ListenerTls> listenerTls() {
    return tls;
  }

  /**
   * The listeners that hear of key changes, one per PostgreSQL key store in use: operators find
   * their connections in {@code pg_stat_activity} by {@link KeyChangeListener#applicationName()}, as do tests.
   */
  public List<KeyChangeListener> keyChangeListeners() {
    return services.keyChanges();
  }

  /** Key management of the current config's key store, when API keys are in play: for the demo to create its key. */
  public Optional<ApiKeyAdmin> keyAdmin() {
    return current.get().keyAdmin();
  }

  /**
   * The graceful stop {@code shutdown} describes (docs/operations.md, Stopping), up to the gateway listener's
   * last connection; {@link #close} stops the rest. Blocks the calling thread: never an event loop.
   */
  public Drain.Result drain(ShutdownConfig shutdown) throws InterruptedException {
    return drain.run(shutdown, gateway::shutdown);
  }

  /**
   * Stops the listeners and, when it owns it, the Vert.x instance. Call it from a thread that is
   * not one of this Vert.x's: the owned instance is closed after the listeners are, from the
   * caller's thread, because a close chained on an event loop would be completed on a loop that
   * no longer runs (the future would never complete).
   */
  public Future<Void> close() {
    tls.ifPresent(ListenerTls::stop);
    reloader.close();
    Future<Void> listeners = admin.close().eventually(gateway::close).eventually(services::close);
    if (!ownsVertx) return listeners;
    try {
      listeners.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("listeners did not stop cleanly: {}", e.toString());
    }
    return vertx.close();
  }

  /**
   * A listener that cannot bind (the port taken, the address not this machine's) is a problem with
   * its config key, reported at its line; any other failure is not the config's and passes as is.
   */
  private static Throwable listenProblem(GatehouseConfig config, String listener, int port, Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    if (!(cause instanceof java.io.IOException)) return e;
    String host = listener.equals("admin") ? config.admin().host() : config.listen().host();
    return config.problem(listener + ".port", "cannot listen on " + host + ":" + port + ": " + cause.getMessage());
  }

  private static GatehouseConfig withListenPort(GatehouseConfig c, int port) {
    return new GatehouseConfig(c.source(), new gatehouse.config.ListenerConfig(c.listen().host(), port, c.listen().h2c(), c.listen().tls()), c.admin(),
        c.upstreams(), c.auth(), c.identity(), c.forwarding(), c.limits(), c.defaultPolicy(), c.routes(), c.crypto(), c.transport(), c.accessLog(), c.rateLimits(), c.redis(), c.tracing(), c.shutdown(), c.lines());
  }

  /** Port 0 would give each event loop's listener a different port; pick one for all of them. */
  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
