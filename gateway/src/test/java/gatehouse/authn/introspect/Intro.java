package gatehouse.authn.introspect;

import gatehouse.authn.Authentication;
import gatehouse.config.IdentityConfig;
import gatehouse.config.IntrospectionConfig;
import gatehouse.config.TokenRules;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import gatehouse.testing.LocalAuthorizationServer;
import io.vertx.core.Future;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shared helpers for this package's tests: a config builder with the loader's defaults, and awaiting. */
final class Intro {
  private Intro() {}

  static final IdentityConfig IDENTITY = new IdentityConfig(
      new LinkedHashMap<>(Map.of("sub", "X-User-Id", "role", "X-User-Role", "email", "X-User-Email")), List.of("X-User-*"));

  /** A mutable builder over {@link IntrospectionConfig}. */
  static final class Config {
    String name = "corp";
    URI endpoint;
    String clientId = LocalAuthorizationServer.CLIENT_ID;
    String clientSecret = LocalAuthorizationServer.CLIENT_SECRET;
    IntrospectionConfig.AuthMethod method = IntrospectionConfig.AuthMethod.CLIENT_SECRET_BASIC;
    Duration cacheTtl = Duration.ofSeconds(30);
    Duration negativeTtl = Duration.ofSeconds(5);
    int cacheSize = 10_000;
    Duration timeout = Duration.ofSeconds(5);
    List<String> audiences = List.of();
    Optional<String> issuer = Optional.empty();
    Map<String, String> claims = Map.of();
    Optional<Path> ca = Optional.empty();
    int breakerFailures = 5;
    Duration breakerCooldown = Duration.ofSeconds(30);
    List<String> rolesClaims = List.of("role");
    Duration skew = Duration.ofSeconds(60);
    TokenRules rules = TokenRules.none();
    Duration staleIfError = Duration.ZERO;

    Config(URI endpoint) {
      this.endpoint = endpoint;
    }

    Config method(IntrospectionConfig.AuthMethod m) { method = m; return this; }
    Config secret(String s) { clientSecret = s; return this; }
    Config cacheTtl(Duration d) { cacheTtl = d; return this; }
    Config negativeTtl(Duration d) { negativeTtl = d; return this; }
    Config timeout(Duration d) { timeout = d; return this; }
    Config audiences(String... a) { audiences = List.of(a); return this; }
    Config issuer(String i) { issuer = Optional.of(i); return this; }
    Config claims(Map<String, String> c) { claims = new LinkedHashMap<>(c); return this; }
    Config staleIfError(Duration d) { staleIfError = d; return this; }
    Config breaker(int failures, Duration cooldown) { breakerFailures = failures; breakerCooldown = cooldown; return this; }
    Config rolesClaim(String... r) { rolesClaims = List.of(r); return this; }
    Config skew(Duration d) { skew = d; return this; }
    Config allowedClients(String... c) { rules = new TokenRules(List.of(c), rules.maxLifetime()); return this; }
    Config maxLifetime(Duration d) { rules = new TokenRules(rules.allowedClients(), Optional.of(d)); return this; }

    IntrospectionConfig build() {
      return new IntrospectionConfig(name, endpoint, clientId, new Secret(clientSecret), method, cacheTtl, negativeTtl,
          cacheSize, timeout, audiences, issuer, claims, rolesClaims, ca, breakerFailures, breakerCooldown, skew, rules,
          staleIfError);
    }
  }

  /**
   * Probe timers that fire only when a test says so: {@link #runNext} runs the earliest pending
   * task and returns the delay it was scheduled with.
   */
  static final class ManualScheduler implements IntrospectionAuthenticator.Scheduler {
    private record Task(long id, Duration delay, Runnable run) {}

    private final java.util.List<Task> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long after(Duration delay, Runnable task) {
      long id = ids.incrementAndGet();
      pending.add(new Task(id, delay, task));
      return id;
    }

    @Override
    public void cancel(long id) {
      pending.removeIf(t -> t.id() == id);
    }

    int pending() {
      return pending.size();
    }

    /** Runs the oldest pending task; its probe's answer arrives asynchronously. */
    Duration runNext() {
      if (pending.isEmpty()) throw new AssertionError("no task pending");
      Task t = pending.remove(0);
      t.run().run();
      return t.delay();
    }
  }

  /**
   * One test's Vert.x, authorization server on 127.0.0.1 and authenticator, all closed by {@link
   * #close}. The server may be replaced (a test that restarts it on its port).
   */
  static final class Fixture implements AutoCloseable {
    final io.vertx.core.Vertx vertx = gatehouse.testing.TestVertx.create();
    LocalAuthorizationServer server = LocalAuthorizationServer.start(vertx);
    IntrospectionAuthenticator authenticator;

    IntrospectionAuthenticator create(Config c, java.time.Clock clock, IntrospectionAuthenticator.Scheduler timers) {
      authenticator = IntrospectionAuthenticator.create(vertx, c.build(), clock, timers);
      return authenticator;
    }

    Authentication ask(String token) {
      return await(authenticator.authenticate(bearer(token)));
    }

    @Override
    public void close() {
      if (authenticator != null) authenticator.close();
      if (server != null) server.close();
      await(vertx.close());
    }
  }

  static Credential bearer(String token) {
    return new Credential.BearerToken(new Secret(token));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete", e);
    }
  }

  static Authentication.Authenticated assertAuthenticated(Authentication a) {
    if (a instanceof Authentication.Authenticated ok) return ok;
    throw new AssertionError("expected Authenticated, got " + a);
  }

  static String assertRejected(Authentication a) {
    if (a instanceof Authentication.Rejected r) return r.failure().code();
    throw new AssertionError("expected Rejected, got " + a);
  }

  static void assertUnverifiable(Authentication a) {
    if (!(a instanceof Authentication.Unverifiable u) || !u.dependency().equals("introspection:corp")) {
      throw new AssertionError("expected Unverifiable(introspection:corp), got " + a);
    }
  }
}
