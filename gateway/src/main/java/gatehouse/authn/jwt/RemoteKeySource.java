package gatehouse.authn.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.config.KeySourceConfig;
import gatehouse.crypto.SignatureEngine;
import gatehouse.logging.Durations;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote JWK set ({@code jwks_uri}, or the one OIDC discovery names), fetched with the Vert.x
 * {@link WebClient} and kept as an immutable {@link KeySet} in an {@link AtomicReference}. Shaped
 * after Envoy's {@code JwksAsyncFetcher}: fetch at start, refresh on a timer before the set's
 * max-age runs out, back off after failures; plus Nimbus' refresh-ahead idea (a request that finds
 * the set due starts the refresh, without waiting for it).
 *
 * <p>Rules: at most one fetch in flight, shared by everyone who needs it, and failed after
 * {@code requestTimeout}; an unknown {@code kid} starts a fetch at most once per {@code minRefresh}
 * (measured from the start of the last fetch of any kind), and within that window answers from the
 * last fetch (see {@link #afterMiss}); a failed refresh keeps the last good set until it is
 * {@code staleMax} old. Every time decision reads the injected {@link Clock}; timers only wake the
 * source up to look at it.
 */
final class RemoteKeySource implements KeySource {
  private static final Logger log = LoggerFactory.getLogger(RemoteKeySource.class);

  /** Tuning with the defaults the config will expose ({@code jwks_min_refresh}, {@code jwks_stale_max}). */
  record Tuning(Duration minRefresh, Duration staleMax, Duration defaultTtl, Duration minTtl, Duration maxTtl,
      Duration requestTimeout, int maxBodyBytes) {
    static final Duration DEFAULT_MIN_REFRESH = Duration.ofSeconds(30);
    static final Duration DEFAULT_STALE_MAX = Duration.ofHours(24);
    static final Tuning DEFAULTS = new Tuning(DEFAULT_MIN_REFRESH, DEFAULT_STALE_MAX,
        Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(10), 1 << 20);

    /** This tuning with a provider's configured bounds, where they differ from the defaults. */
    Tuning with(gatehouse.config.JwtProviderConfig.RemoteKeys configured) {
      Duration min = configured.minRefresh().equals(DEFAULT_MIN_REFRESH) ? minRefresh : configured.minRefresh();
      Duration stale = configured.staleMax().equals(DEFAULT_STALE_MAX) ? staleMax : configured.staleMax();
      return new Tuning(min, stale, defaultTtl, minTtl, maxTtl, requestTimeout, maxBodyBytes);
    }
  }

  private static final long MIN_TIMER_MS = 1_000;

  /**
   * How one fetch ended, the {@code result} label of {@code gatehouse_jwks_fetches_total}: a fixed
   * set, so a misbehaving IdP cannot grow the label values.
   */
  enum FetchResult {
    /** A usable key set was loaded. */
    OK,
    /** The JWKS or discovery endpoint answered a status other than 200. */
    HTTP_ERROR,
    /** No key set within {@code requestTimeout}. */
    TIMEOUT,
    /** Connection, TLS or transport failure. */
    CONNECT_ERROR,
    /** An answer that is not a usable key set: empty, too large, not JSON, no usable key, wrong issuer. */
    INVALID;

    final String label = name().toLowerCase(Locale.ROOT);
  }

  private final Vertx vertx;
  private final WebClient client;
  /** The client under {@link #client}, and what lets Vert.x forget it once closed ({@link gatehouse.transport.HttpClients}). */
  private final io.vertx.core.http.HttpClientAgent http;
  private final Runnable release;
  private final Clock clock;
  private final SignatureEngine engine;
  private final String provider;
  private final String issuer;
  private final URI jwksUri;
  private final Tuning tuning;
  private final Consumer<Set<String>> onKeysRemoved;

  private final AtomicReference<KeySet> snapshot = new AtomicReference<>();
  private final AtomicReference<Future<Void>> inflight = new AtomicReference<>();
  private final AtomicLong timer = new AtomicLong(-1);
  private volatile Instant lastAttemptAt;
  private volatile Instant nextAttemptAt = Instant.MIN;
  private volatile String lastError;
  private volatile int failures;
  private volatile boolean staleReported;
  private volatile URI discoveredJwksUri;
  private volatile boolean closed;
  private final AtomicLongArray fetches = new AtomicLongArray(FetchResult.values().length);

  /**
   * Starts the first fetch at once.
   *
   * @param jwksUri the JWK set's address, or null to discover it from {@code issuer}
   * @param onKeysRemoved told the thumbprints of keys a refresh removed (to drop cached tokens)
   */
  RemoteKeySource(Vertx vertx, Clock clock, SignatureEngine engine, String provider, String issuer, URI jwksUri, Tuning tuning,
      java.util.Optional<io.vertx.core.net.TrustOptions> trust, Consumer<Set<String>> onKeysRemoved) {
    this.vertx = vertx;
    this.clock = clock;
    this.engine = engine;
    this.provider = provider;
    this.issuer = issuer;
    this.jwksUri = jwksUri;
    this.tuning = tuning;
    this.onKeysRemoved = onKeysRemoved;
    // No redirects: the JWKS address is configuration, and a redirect is a place to be led astray.
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("gatehouse-jwks")
        .setFollowRedirects(false)
        .setConnectTimeout((int) tuning.requestTimeout().toMillis());
    trust.ifPresent(options::setTrustOptions);
    io.vertx.core.http.HttpClientAgent http = vertx.httpClientBuilder().with(options).build();
    this.release = gatehouse.transport.HttpClients.releaser(vertx, http);
    this.http = http;
    this.client = WebClient.wrap(http, options);
    refresh("initial");
  }

  /**
   * Why {@code uri} may not be fetched, or null when it may: https anywhere, plain http only to a
   * loopback host (the demo issuer and tests).
   */
  static String unfetchable(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost();
    if (host.isEmpty()) return "has no host";
    if (scheme.equals("https")) return null;
    if (scheme.equals("http") && KeySourceConfig.loopback(host)) return null;
    return "must be https (plain http is allowed only to a loopback address)";
  }

  @Override
  public String dependency() {
    return "jwks:" + provider;
  }

  @Override
  public KeySet current() {
    Instant now = clock.instant();
    if (!closed && inflight.get() == null && !now.isBefore(nextAttemptAt)) refresh("due");
    KeySet keys = snapshot.get();
    if (keys == null) return null;
    if (now.isAfter(keys.loadedAt().plus(tuning.staleMax()))) {
      if (!staleReported) {
        staleReported = true;
        log.error("jwks:{} key set is {} old, past the stale maximum {}; tokens of this provider answer 503 until a fetch succeeds",
            provider, Durations.text(Duration.between(keys.loadedAt(), now)), Durations.text(tuning.staleMax()));
      }
      return null;
    }
    return keys;
  }

  /**
   * Unknown-kid rule. A fetch in flight is joined (single flight; it ends within
   * {@code requestTimeout}). Otherwise, within {@code minRefresh} of the start of the last fetch,
   * the answer is that fetch's: the current set after a success (the kid is absent from a fresh
   * set: 401), null after a failure (the key may exist: 503). Past that window the miss starts one
   * fetch. Nothing about the kid itself is remembered, so a miss never outlives the window.
   */
  @Override
  public Future<KeySet> afterMiss(String kid, KeySet seen) {
    Future<Void> running = inflight.get();
    if (running == null) {
      Instant last = lastAttemptAt;
      if (last != null && clock.instant().isBefore(last.plus(tuning.minRefresh()))) {
        return Future.succeededFuture(lastError != null ? null : current());
      }
      running = refresh("unknown kid");
    }
    return running.transform(ar -> Future.succeededFuture(ar.succeeded() ? current() : null));
  }

  @Override
  public KeySetStatus status() {
    KeySet keys = snapshot.get();
    Instant now = clock.instant();
    boolean ready = keys != null && !now.isAfter(keys.loadedAt().plus(tuning.staleMax()));
    return new KeySetStatus(provider, jwksUri != null ? "jwks_uri " + jwksUri : "discovery " + issuer, ready,
        keys == null ? 0 : keys.size(),
        keys == null ? Optional.empty() : Optional.of(Duration.between(keys.loadedAt(), now)),
        Optional.ofNullable(lastError));
  }

  @Override
  public Future<Void> settled() {
    Future<Void> running = inflight.get();
    return running == null ? Future.succeededFuture() : running.transform(ar -> Future.succeededFuture());
  }

  @Override
  public void close() {
    closed = true;
    long id = timer.getAndSet(-1);
    if (id >= 0) vertx.cancelTimer(id);
    gatehouse.transport.HttpClients.close(http, release);
  }

  /** Starts a fetch unless one is in flight; either way returns the one in flight. */
  Future<Void> refresh(String reason) {
    while (true) {
      Future<Void> running = inflight.get();
      if (running != null) return running;
      Promise<Void> promise = Promise.promise();
      if (inflight.compareAndSet(null, promise.future())) {
        lastAttemptAt = clock.instant();
        log.debug("jwks:{} fetching ({})", provider, reason);
        // One deadline for the whole fetch, discovery included: bounds how long a miss waits.
        Promise<KeySet> outcome = Promise.promise();
        long deadline = vertx.setTimer(tuning.requestTimeout().toMillis(),
            t -> outcome.tryFail(new FetchException(FetchResult.TIMEOUT, "no key set within " + Durations.text(tuning.requestTimeout()))));
        try {
          fetch().onComplete(ar -> {
            vertx.cancelTimer(deadline);
            if (ar.succeeded()) outcome.tryComplete(ar.result());
            else outcome.tryFail(ar.cause());
          });
        } catch (RuntimeException e) {
          vertx.cancelTimer(deadline);
          outcome.tryFail(e);
        }
        outcome.future().onComplete(ar -> {
          fetches.incrementAndGet((ar.succeeded() ? FetchResult.OK : result(ar.cause())).ordinal());
          if (ar.succeeded()) accept(ar.result());
          else reject(ar.cause());
          inflight.set(null);
          schedule();
          if (ar.succeeded()) promise.complete();
          else promise.fail(ar.cause());
        });
        return promise.future();
      }
    }
  }

  private Future<KeySet> fetch() {
    Future<URI> target = jwksUri != null ? Future.succeededFuture(jwksUri) : discover();
    return target.compose(uri -> get(uri).compose(response -> {
      JWKSet jwks;
      try {
        jwks = JWKSet.parse(response.bodyAsString(StandardCharsets.UTF_8.name()));
      } catch (java.text.ParseException e) {
        return Future.failedFuture(new FetchException(FetchResult.INVALID, uri + " is not a JWK set: " + e.getMessage()));
      }
      Instant now = clock.instant();
      Duration ttl = ttl(response.getHeader("Cache-Control"));
      List<String> refused = new ArrayList<>();
      KeySet keys = KeySet.compile(jwks, false, engine, now, now.plus(ttl).minus(ttl.dividedBy(10)), refused::add);
      for (String why : RefusedKeyWarnings.toWarn(dependency(), refused)) log.warn("jwks:{} ignoring {}", provider, why);
      if (keys.size() == 0) return Future.failedFuture(new FetchException(FetchResult.INVALID, uri + " has no usable signing keys"));
      return Future.succeededFuture(keys);
    }));
  }

  private Future<HttpResponse<Buffer>> get(URI uri) {
    return client.getAbs(uri.toString())
        .timeout(tuning.requestTimeout().toMillis())
        .putHeader("Accept", "application/json")
        .send()
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture(new FetchException(FetchResult.HTTP_ERROR, "GET " + uri + " answered " + response.statusCode()));
          }
          Buffer body = response.body();
          if (body == null || body.length() == 0) return Future.failedFuture(new FetchException(FetchResult.INVALID, "GET " + uri + " answered an empty body"));
          if (body.length() > tuning.maxBodyBytes()) {
            return Future.failedFuture(new FetchException(FetchResult.INVALID, "GET " + uri + " answered " + body.length() + " bytes, over the limit"));
          }
          return Future.succeededFuture(response);
        });
  }

  /** OpenID Connect Discovery 1.0 section 4; the answer's {@code issuer} must be ours (section 4.3). */
  private Future<URI> discover() {
    URI known = discoveredJwksUri;
    if (known != null) return Future.succeededFuture(known);
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI discovery = URI.create(base + "/.well-known/openid-configuration");
    return get(discovery).compose(response -> {
      Map<String, Object> doc;
      try {
        doc = JSONObjectUtils.parse(response.bodyAsString(StandardCharsets.UTF_8.name()));
      } catch (java.text.ParseException e) {
        return Future.failedFuture(new FetchException(FetchResult.INVALID, discovery + " is not a JSON object"));
      }
      if (!issuer.equals(doc.get("issuer"))) {
        return Future.failedFuture(new FetchException(FetchResult.INVALID, discovery + " names issuer " + doc.get("issuer") + ", not " + issuer));
      }
      if (!(doc.get("jwks_uri") instanceof String text)) return Future.failedFuture(new FetchException(FetchResult.INVALID, discovery + " has no jwks_uri"));
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new FetchException(FetchResult.INVALID, discovery + " has an invalid jwks_uri"));
      }
      String problem = unfetchable(uri);
      if (problem != null) return Future.failedFuture(new FetchException(FetchResult.INVALID, discovery + " jwks_uri " + uri + " " + problem));
      discoveredJwksUri = uri;
      return Future.succeededFuture(uri);
    });
  }

  /** Cache-Control max-age (RFC 9111 section 5.2.2.1) within [minTtl, maxTtl]; no-store and no-cache mean minTtl. */
  Duration ttl(String cacheControl) {
    Duration ttl = tuning.defaultTtl();
    if (cacheControl != null) {
      for (String directive : cacheControl.split(",")) {
        String d = directive.trim().toLowerCase(Locale.ROOT);
        if (d.equals("no-store") || d.equals("no-cache")) return tuning.minTtl();
        if (d.startsWith("max-age=")) {
          try {
            ttl = Duration.ofSeconds(Long.parseLong(d.substring("max-age=".length()).replace("\"", "")));
          } catch (NumberFormatException e) {
            log.debug("jwks:{} ignoring Cache-Control '{}'", provider, cacheControl);
          }
        }
      }
    }
    if (ttl.compareTo(tuning.minTtl()) < 0) return tuning.minTtl();
    if (ttl.compareTo(tuning.maxTtl()) > 0) return tuning.maxTtl();
    return ttl;
  }

  private void accept(KeySet keys) {
    KeySet old = snapshot.getAndSet(keys);
    if (old == null) {
      log.info("jwks:{} loaded {} keys from {}", provider, keys.size(), jwksUri != null ? jwksUri : discoveredJwksUri);
    } else {
      Set<String> removed = new HashSet<>(old.thumbprints());
      removed.removeAll(keys.thumbprints());
      Set<String> added = new HashSet<>(keys.thumbprints());
      added.removeAll(old.thumbprints());
      if (!added.isEmpty() || !removed.isEmpty()) {
        log.info("jwks:{} keys changed: {} added {}, {} removed {}", provider,
            added.size(), labels(keys, added), removed.size(), labels(old, removed));
      }
      if (!removed.isEmpty()) onKeysRemoved.accept(Set.copyOf(removed));
    }
    if (lastError != null) log.info("jwks:{} fetch succeeded again after {} failures", provider, failures);
    lastError = null;
    failures = 0;
    staleReported = false;
    nextAttemptAt = keys.refreshAt();
  }

  private void reject(Throwable cause) {
    if (jwksUri == null) discoveredJwksUri = null;
    String message = cause instanceof FetchException ? cause.getMessage() : cause.toString();
    failures++;
    boolean changed = !message.equals(lastError);
    lastError = message;
    Duration backoff = Duration.ofSeconds(1L << Math.min(failures - 1, 16));
    if (backoff.compareTo(tuning.minRefresh()) > 0) backoff = tuning.minRefresh();
    nextAttemptAt = clock.instant().plus(backoff);
    if (closed) return;
    KeySet keys = snapshot.get();
    if (!changed) {
      log.debug("jwks:{} fetch failed again ({}): {}", provider, failures, message);
    } else if (keys == null) {
      log.warn("jwks:{} fetch failed; tokens of this provider answer 503 until one succeeds: {}", provider, message);
    } else {
      log.warn("jwks:{} refresh failed; serving the last good key set ({} old) for up to {}: {}", provider,
          Durations.text(Duration.between(keys.loadedAt(), clock.instant())), Durations.text(tuning.staleMax()), message);
    }
  }

  private void schedule() {
    if (closed) return;
    long delay = Math.max(MIN_TIMER_MS, Duration.between(clock.instant(), nextAttemptAt).toMillis());
    long id = vertx.setTimer(delay, t -> onTimer());
    long old = timer.getAndSet(id);
    if (old >= 0) vertx.cancelTimer(old);
    if (closed) vertx.cancelTimer(id);
  }

  private void onTimer() {
    if (closed) return;
    if (!clock.instant().isBefore(nextAttemptAt)) refresh("scheduled");
    else schedule();
  }

  private static String labels(KeySet keys, Set<String> thumbprints) {
    List<String> out = new ArrayList<>();
    for (VerificationKey key : keys.keys()) if (thumbprints.contains(key.thumbprint())) out.add(key.label());
    return out.toString();
  }

  /** What kind of failure {@code cause} is, for the fetch counter. */
  static FetchResult result(Throwable cause) {
    if (cause instanceof FetchException f) return f.result;
    if (cause instanceof java.util.concurrent.TimeoutException) return FetchResult.TIMEOUT;
    // Everything else came from the HTTP client: refused or reset connections, TLS, DNS.
    return FetchResult.CONNECT_ERROR;
  }

  /**
   * Registers this source's meters, labelled {@code provider}: fetches by {@link FetchResult}, the
   * key set's age and the time of the last successful fetch (both absent, NaN, before the first).
   * Every value is read at scrape time; fetching records only into an {@link AtomicLongArray}.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    for (FetchResult r : FetchResult.values()) {
      FunctionCounter.builder("gatehouse_jwks_fetches", fetches, f -> f.get(r.ordinal()))
          .tag("provider", provider).tag("result", r.label)
          .description("JWKS (and discovery) fetches by how they ended").register(registry);
    }
    Gauge.builder("gatehouse_jwks_key_set_age_seconds", this, s -> s.loadedAt() == null ? Double.NaN
            : Duration.between(s.loadedAt(), s.clock.instant()).toMillis() / 1000.0)
        .tag("provider", provider).description("Seconds since the key set in use was fetched").register(registry);
    Gauge.builder("gatehouse_jwks_last_success_timestamp_seconds", this, s -> s.loadedAt() == null ? Double.NaN
            : s.loadedAt().toEpochMilli() / 1000.0)
        .tag("provider", provider).description("Unix time of the last successful JWKS fetch").register(registry);
  }

  private Instant loadedAt() {
    KeySet keys = snapshot.get();
    return keys == null ? null : keys.loadedAt();
  }

  /** A fetch failure with a message fit for the log and the readiness endpoint. */
  private static final class FetchException extends RuntimeException {
    final FetchResult result;

    FetchException(FetchResult result, String message) {
      super(message, null, false, false);
      this.result = result;
    }
  }
}
