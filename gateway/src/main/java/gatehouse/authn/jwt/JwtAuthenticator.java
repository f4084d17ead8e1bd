package gatehouse.authn.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import gatehouse.credential.Credential;
import gatehouse.crypto.SignatureEngine;
import gatehouse.logging.ThrottledLogs;
import gatehouse.secret.SecretHash;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies bearer JWTs (RFC 7519, RFC 8725) for every configured provider. A token is matched to
 * its provider by its {@code iss}, exactly; one key set per provider is shared by all routes.
 *
 * <p>Answers: {@code Authenticated} with subject = {@code sub} ({@code ""} when the token has none
 * and {@code sub} is not a required claim), issuer = provider name, roles from the provider's
 * roles claim, scopes from {@code scope}/{@code scp}, headers mapped from claims; {@code Rejected}
 * with a short code ({@code expired}, {@code bad_signature}, {@code unknown_issuer}, ...) and a
 * detail for the log that names the token only by its fingerprint; {@code Unverifiable("jwks:<provider>")}
 * when the provider's remote key set has never been fetched or is older than the stale maximum.
 *
 * <p>Verification is CPU only against an immutable key-set snapshot, so the returned future is
 * normally already complete. Only a token whose {@code kid} is unknown to a remote provider waits,
 * for one rate-limited fetch shared with every other such token; its answer is delivered on the
 * caller's Vert.x context. Verified tokens are cached (by SHA-256) until their {@code exp}.
 */
public final class JwtAuthenticator implements Authenticator, io.micrometer.core.instrument.binder.MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

  private final Map<String, JwtProvider> byIssuer;
  private final Map<String, JwtProvider> byName;
  private final int maxTokenBytes;
  private final VerifiedTokenCache cache;
  private final JwtServices services;
  /** Whether {@link #close} closes {@link #services}: true when they were made for this authenticator alone. */
  private final boolean ownsServices;
  /** Failures that are bugs, not verdicts: any token may reach them, so one line per kind per window. */
  private final ThrottledLogs failures;

  private JwtAuthenticator(List<JwtProvider> providers, JwtServices services, boolean ownsServices) {
    this.failures = new ThrottledLogs(log, services.clock());
    Map<String, JwtProvider> issuers = new HashMap<>();
    Map<String, JwtProvider> names = new LinkedHashMap<>();
    int max = 0;
    for (JwtProvider p : providers) {
      issuers.put(p.issuer(), p);
      names.put(p.name(), p);
      max = Math.max(max, p.maxTokenBytes());
    }
    this.byIssuer = Map.copyOf(issuers);
    this.byName = java.util.Collections.unmodifiableMap(names);
    this.maxTokenBytes = max;
    this.cache = services.cache();
    this.services = services;
    this.ownsServices = ownsServices;
  }

  /**
   * Compiles {@code providers} over {@code services}: a remote provider whose config {@code
   * services} has seen uses that provider's running key source; another starts fetching in the
   * background (the authenticator answers {@code Unverifiable} for a provider until its first fetch
   * succeeds). The config reader checked {@code providers} and read their key files. {@link #close}
   * leaves {@code services} running.
   *
   * @throws IllegalArgumentException for an in-memory key set (the demo's) that is not a usable one
   */
  public static JwtAuthenticator create(JwtServices services, List<JwtProviderConfig> providers) {
    return create(services, false, providers);
  }

  /**
   * As {@link #create(JwtServices, List)}, on services of its own that {@link #close} closes.
   * {@code clock} is the only source of time; {@code engine} checks the signatures.
   */
  public static JwtAuthenticator create(Vertx vertx, List<JwtProviderConfig> providers, Clock clock,
      SignatureEngine engine) {
    return create(vertx, providers, clock, engine, RemoteKeySource.Tuning.DEFAULTS, VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /** With a null {@code vertx}, remote key sources are never started. */
  static JwtAuthenticator create(Vertx vertx, List<JwtProviderConfig> configs, Clock clock,
      SignatureEngine engine, RemoteKeySource.Tuning tuning, int cacheSize) {
    return create(new JwtServices(vertx, clock, engine, tuning, cacheSize), true, configs);
  }

  private static JwtAuthenticator create(JwtServices services, boolean ownsServices, List<JwtProviderConfig> configs) {
    List<JwtProvider> providers = new ArrayList<>();
    try {
      for (JwtProviderConfig c : configs) {
        boolean remote = services.fetches() && !ownsServices
            && (c.keys() instanceof KeySourceConfig.JwksUri || c.keys() instanceof KeySourceConfig.Discovery);
        // A remote provider's compiled instance is kept across reloads (its key set is fetched, not read at compile).
        providers.add(remote ? services.compiled(c, () -> JwtProvider.compile(c, keySource(services, c), services.clock()))
            : JwtProvider.compile(c, keySource(services, c), services.clock()));
      }
    } catch (RuntimeException e) {
      if (ownsServices) services.close();
      throw e;
    }
    return new JwtAuthenticator(providers, services, ownsServices);
  }

  private static KeySource keySource(JwtServices services, JwtProviderConfig c) {
    Clock clock = services.clock();
    SignatureEngine engine = services.engine();
    String key = "auth.jwt[" + c.name() + "]";
    KeySourceConfig source = c.keys();
    if (source == null) throw new IllegalArgumentException(key + ": no key source (jwks_uri, discovery, jwks_file, public_key_pem or secret)");
    // The reader checked both URLs (https, or plain http to a loopback host only).
    if (source instanceof KeySourceConfig.JwksUri u) {
      if (!services.fetches()) return unstarted(c, clock);
      return services.remote(c, config -> new RemoteKeySource(services.vertx(), clock, engine, c.name(), c.issuer(), u.uri(),
          services.tuning().with(c.remote()), trust(c), removed -> services.cache().invalidateKeys(c.name(), removed)));
    }
    if (source instanceof KeySourceConfig.Discovery) {
      if (!services.fetches()) return unstarted(c, clock);
      return services.remote(c, config -> new RemoteKeySource(services.vertx(), clock, engine, c.name(), c.issuer(), null,
          services.tuning().with(c.remote()), trust(c), removed -> services.cache().invalidateKeys(c.name(), removed)));
    }
    boolean hmac = source instanceof KeySourceConfig.HmacSecret;
    JWKSet jwks = LocalKeys.load(c.name(), source);
    List<String> refused = new ArrayList<>();
    KeySet set = KeySet.compile(jwks, hmac, engine, clock.instant(), java.time.Instant.MAX, refused::add);
    for (String why : RefusedKeyWarnings.toWarn(key, refused)) log.warn("{}: ignoring {}", key, why);
    if (set.size() == 0) throw new IllegalArgumentException(key + ": no usable verification key" + (refused.isEmpty() ? "" : " " + refused));
    return new StaticKeySource(c.name(), describe(source), set, clock);
  }

  private static java.util.Optional<io.vertx.core.net.TrustOptions> trust(JwtProviderConfig c) {
    return c.remote().ca().map(gatehouse.tls.Trust::systemPlus);
  }

  private static KeySource unstarted(JwtProviderConfig c, Clock clock) {
    return new UnfetchedKeySource(c.name());
  }

  private static String describe(KeySourceConfig source) {
    if (source instanceof KeySourceConfig.JwksFile f) return "jwks_file " + f.path();
    if (source instanceof KeySourceConfig.PublicKeyPem p) return "public_key_pem " + p.path();
    if (source instanceof KeySourceConfig.HmacSecret) return "secret";
    if (source instanceof KeySourceConfig.InMemory) return "in_memory";
    throw new AssertionError("not a local source " + source);
  }

  /**
   * Verifies a {@code Credential.BearerToken}; any other credential is {@code Rejected} with
   * {@code unsupported_credential}. The future never fails, and every input, however broken, gets
   * an answer. Called on an event loop; never blocks it.
   */
  @Override
  public Future<Authentication> authenticate(Credential credential) {
    if (!(credential instanceof Credential.BearerToken bearer)) {
      return AuthFailure.unsupported("JWT", credential);
    }
    String token = bearer.secret().reveal();
    // Refused before hashing or parsing: the cost of a request must not grow with what the client sends.
    if (token.length() > maxTokenBytes) {
      return rejected(FailureCodes.TOKEN_TOO_LARGE, "token of " + token.length() + " characters, limit " + maxTokenBytes);
    }
    SecretHash digest = bearer.secret().hash();
    String fp = digest.fingerprint();
    try {
      VerifiedTokenCache.Entry hit = cache.get(digest);
      if (hit != null) {
        JwtProvider provider = byName.get(hit.provider());
        if (provider != null && provider == hit.verifiedBy() && provider.keys().trusts(hit.thumbprint())) {
          return Future.succeededFuture(new Authentication.Authenticated(hit.identity()));
        }
        cache.remove(digest);
      }
      ParsedToken.Result parsed = ParsedToken.parse(token, fp);
      if (parsed instanceof ParsedToken.Bad bad) return Future.succeededFuture(new Authentication.Rejected(bad.failure()));
      if (!(parsed instanceof ParsedToken.Ok ok)) throw new AssertionError("unknown parse result " + parsed);
      ParsedToken t = ok.token();
      if (t.issuer() == null) return rejected(FailureCodes.UNKNOWN_ISSUER, "token " + fp + ": no iss claim");
      JwtProvider provider = byIssuer.get(t.issuer());
      if (provider == null) return rejected(FailureCodes.UNKNOWN_ISSUER, "token " + fp + ": no provider has this iss");
      Future<Verdict> verdict = provider.verify(t, fp);
      if (verdict.isComplete()) return Future.succeededFuture(answer(verdict.result(), digest, provider));
      return onCallerContext(verdict.map(v -> answer(v, digest, provider)), fp);
    } catch (RuntimeException e) {
      // A bug, not a verdict: still fail closed with a value, so no input can become a 500.
      failures.error("verify", "jwt: unexpected error verifying token {}", fp, e);
      return rejected(FailureCodes.MALFORMED, "token " + fp + ": unexpected " + e.getClass().getSimpleName());
    }
  }

  private Authentication answer(Verdict v, SecretHash digest, JwtProvider provider) {
    if (v instanceof Verdict.Accepted a) {
      if (provider.cachesVerifiedTokens()) {
        cache.put(digest, new VerifiedTokenCache.Entry(a.identity(), provider.name(), provider, a.thumbprint(), a.expiresAt()));
      }
      return new Authentication.Authenticated(a.identity());
    }
    if (v instanceof Verdict.Refused r) return new Authentication.Rejected(r.failure());
    if (v instanceof Verdict.Unavailable u) return new Authentication.Unverifiable(u.dependency());
    throw new AssertionError("unknown verdict " + v);
  }

  /** Completes on the context that called {@code authenticate}, as request handling expects. */
  private Future<Authentication> onCallerContext(Future<Authentication> result, String fp) {
    Context context = Vertx.currentContext();
    Promise<Authentication> promise = Promise.promise();
    result.onComplete(ar -> {
      Authentication answer = ar.succeeded() ? ar.result()
          : new Authentication.Rejected(new AuthFailure(FailureCodes.MALFORMED, "token " + fp + ": unexpected " + ar.cause()));
      if (ar.failed()) failures.error("await", "jwt: unexpected error verifying token {}", fp, ar.cause());
      if (context == null) promise.complete(answer);
      else context.runOnContext(v -> promise.complete(answer));
    });
    return promise.future();
  }

  private static Future<Authentication> rejected(String code, String detail) {
    return Future.succeededFuture(new Authentication.Rejected(new AuthFailure(code, detail)));
  }

  /** One entry per provider, in config order, for the admin {@code /ready} endpoint. Never blocks. */
  public List<KeySetStatus> status() {
    List<KeySetStatus> out = new ArrayList<>();
    for (JwtProvider p : byName.values()) out.add(p.keys().status());
    return List.copyOf(out);
  }

  /** Registers the meters of this authenticator's services ({@link JwtServices#bindTo}). */
  @Override
  public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
    services.bindTo(registry);
  }

  /**
   * Closes the services this authenticator was made with alone (stopping background key refreshes);
   * shared {@link JwtServices} keep running. Idempotent. Tokens verified afterwards use the last
   * key sets held.
   */
  public void close() {
    if (ownsServices) services.close();
  }

  /** The keys of the provider that takes {@code issuer}, as they are now; empty when none takes it. */
  public java.util.Optional<ProviderKeys> keysFor(String issuer) {
    return java.util.Optional.ofNullable(byIssuer.get(issuer)).map(ProviderKeys::of);
  }

  /** Completes when no key fetch is in flight: {@code gatehouse explain} waits for the first fetch, tests rather than sleep. */
  public Future<Void> settled() {
    List<Future<Void>> all = new ArrayList<>();
    for (JwtProvider p : byName.values()) all.add(p.keys().settled());
    return Future.all(all).mapEmpty();
  }

  /** The verified-token cache, for tests: nothing else shows which entries a key's removal drops. */
  VerifiedTokenCache cache() {
    return cache;
  }
}
