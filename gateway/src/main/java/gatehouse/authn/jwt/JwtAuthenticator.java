package gatehouse.authn.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import gatehouse.credential.Credential;
import gatehouse.crypto.SignatureEngine;
import gatehouse.secret.SecretHash;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
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

  private JwtAuthenticator(List<JwtProvider> providers, VerifiedTokenCache cache) {
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
    this.cache = cache;
  }

  /**
   * Compiles {@code providers} and starts fetching remote key sets in the background (the
   * authenticator answers {@code Unverifiable} for a provider until its first fetch succeeds).
   * Local key files are read here, synchronously: call it where config is loaded, not on an event
   * loop. {@code clock} is the only source of time; {@code engine} checks the signatures.
   *
   * @throws IllegalArgumentException for an invalid provider, with a message that starts with the
   *     config key, e.g. {@code auth.jwt[main].secret: HMAC secret must be at least 32 bytes ...}
   */
  public static JwtAuthenticator create(Vertx vertx, List<JwtProviderConfig> providers, Clock clock,
      SignatureEngine engine) {
    return create(vertx, providers, clock, engine, RemoteKeySource.Tuning.DEFAULTS, VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /**
   * Runs every check {@link #create} runs, reading local key files, but fetches nothing: for
   * {@code gatehouse validate}, which must not reach out to identity providers.
   *
   * @throws IllegalArgumentException as {@link #create} does
   */
  public static void check(List<JwtProviderConfig> providers, Clock clock, SignatureEngine engine) {
    create(null, providers, clock, engine, RemoteKeySource.Tuning.DEFAULTS, 1).close();
  }

  /** With a null {@code vertx}, remote key sources are checked but never started. */
  static JwtAuthenticator create(Vertx vertx, List<JwtProviderConfig> configs, Clock clock,
      SignatureEngine engine, RemoteKeySource.Tuning tuning, int cacheSize) {
    VerifiedTokenCache cache = new VerifiedTokenCache(cacheSize, clock);
    Map<String, String> names = new HashMap<>();
    Map<String, String> issuers = new HashMap<>();
    for (JwtProviderConfig c : configs) {
      if (names.put(c.name(), c.name()) != null) throw new IllegalArgumentException("auth.jwt[" + c.name() + "]: duplicate provider name");
      String other = issuers.put(c.issuer(), c.name());
      if (other != null) {
        throw new IllegalArgumentException("auth.jwt[" + c.name() + "].issuer: '" + c.issuer() + "' is also the issuer of provider "
            + other + "; a token must match one provider");
      }
    }
    List<JwtProvider> providers = new ArrayList<>();
    List<KeySource> started = new ArrayList<>();
    try {
      for (JwtProviderConfig c : configs) {
        KeySource keys = keySource(vertx, c, clock, engine, tuning, cache);
        started.add(keys);
        providers.add(JwtProvider.compile(c, keys, clock));
      }
    } catch (RuntimeException e) {
      started.forEach(KeySource::close);
      throw e;
    }
    return new JwtAuthenticator(providers, cache);
  }

  private static KeySource keySource(Vertx vertx, JwtProviderConfig c, Clock clock, SignatureEngine engine,
      RemoteKeySource.Tuning tuning, VerifiedTokenCache cache) {
    String key = "auth.jwt[" + c.name() + "]";
    KeySourceConfig source = c.keys();
    if (source == null) throw new IllegalArgumentException(key + ": no key source (jwks_uri, discovery, jwks_file, public_key_pem or secret)");
    if (source instanceof KeySourceConfig.JwksUri u) {
      String problem = RemoteKeySource.unfetchable(u.uri());
      if (problem != null) throw new IllegalArgumentException(key + ".jwks_uri: " + u.uri() + " " + problem);
      if (vertx == null) return unstarted(c, clock);
      return new RemoteKeySource(vertx, clock, engine, c.name(), c.issuer(), u.uri(), tuning.with(c.remote()), trust(c),
          removed -> cache.invalidateKeys(c.name(), removed));
    }
    if (source instanceof KeySourceConfig.Discovery) {
      URI issuer;
      try {
        issuer = URI.create(c.issuer());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".discovery: issuer '" + c.issuer() + "' is not a URL", e);
      }
      String problem = RemoteKeySource.unfetchable(issuer);
      if (problem != null) throw new IllegalArgumentException(key + ".discovery: issuer " + c.issuer() + " " + problem);
      if (vertx == null) return unstarted(c, clock);
      return new RemoteKeySource(vertx, clock, engine, c.name(), c.issuer(), null, tuning.with(c.remote()), trust(c),
          removed -> cache.invalidateKeys(c.name(), removed));
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
    try {
      return c.remote().ca().map(gatehouse.tls.Trust::systemPlus);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("auth.jwt[" + c.name() + "].ca: " + e.getMessage(), e);
    }
  }

  private static KeySource unstarted(JwtProviderConfig c, Clock clock) {
    trust(c);
    KeySet none = KeySet.compile(new JWKSet(), false, SignatureEngine.jdk(), clock.instant(), java.time.Instant.MAX, why -> { });
    return new StaticKeySource(c.name(), "remote (not fetched)", none, clock);
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
        if (provider != null && provider.keys().trusts(hit.thumbprint())) {
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
      log.error("jwt: unexpected error verifying token {}", fp, e);
      return rejected(FailureCodes.MALFORMED, "token " + fp + ": unexpected " + e.getClass().getSimpleName());
    }
  }

  private Authentication answer(Verdict v, SecretHash digest, JwtProvider provider) {
    if (v instanceof Verdict.Accepted a) {
      if (provider.cachesVerifiedTokens()) {
        cache.put(digest, new VerifiedTokenCache.Entry(a.identity(), provider.name(), a.thumbprint(), a.expiresAt()));
      }
      return new Authentication.Authenticated(a.identity());
    }
    if (v instanceof Verdict.Refused r) return new Authentication.Rejected(r.failure());
    if (v instanceof Verdict.Unavailable u) return new Authentication.Unverifiable(u.dependency());
    throw new AssertionError("unknown verdict " + v);
  }

  /** Completes on the context that called {@code authenticate}, as request handling expects. */
  private static Future<Authentication> onCallerContext(Future<Authentication> result, String fp) {
    Context context = Vertx.currentContext();
    Promise<Authentication> promise = Promise.promise();
    result.onComplete(ar -> {
      Authentication answer = ar.succeeded() ? ar.result()
          : new Authentication.Rejected(new AuthFailure(FailureCodes.MALFORMED, "token " + fp + ": unexpected " + ar.cause()));
      if (ar.failed()) log.error("jwt: unexpected error verifying token {}", fp, ar.cause());
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

  /**
   * Registers each remote provider's JWKS meters and the verified-token cache's as {@code
   * cache="jwt_verified_tokens"} (Micrometer's Caffeine binder: {@code cache_gets_total} by hit and
   * miss, {@code cache_evictions_total}, {@code cache_size}).
   */
  @Override
  public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
    for (JwtProvider p : byName.values()) p.keys().bindTo(registry);
    cache.bindTo(registry, "jwt_verified_tokens");
  }

  /**
   * Stops background key refreshes and closes their HTTP clients; call when a reload replaces this
   * authenticator. Idempotent. Tokens verified afterwards use the last key sets held.
   */
  public void close() {
    for (JwtProvider p : byName.values()) p.keys().close();
  }

  /** Completes when no key fetch is in flight (tests wait on this rather than sleep). */
  Future<Void> settled() {
    List<Future<Void>> all = new ArrayList<>();
    for (JwtProvider p : byName.values()) all.add(p.keys().settled());
    return Future.all(all).mapEmpty();
  }

  /** The verified-token cache, for tests: nothing else shows which entries a key's removal drops. */
  VerifiedTokenCache cache() {
    return cache;
  }
}
