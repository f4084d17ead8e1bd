package gatehouse.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint on 127.0.0.1 for tests: serves {@code /jwks.json} and an OpenID discovery
 * document at {@code /.well-known/openid-configuration} whose issuer is {@link #issuer()}. The key
 * set, the Cache-Control header, a failure status and a response delay can be changed while it
 * runs; JWKS fetches are counted. Close it (or its Vert.x) when done.
 */
public final class LocalJwksServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicReference<String> jwks;
  private final AtomicReference<String> cacheControl = new AtomicReference<>();
  private final AtomicInteger failWith = new AtomicInteger(0);
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger discoveryFetches = new AtomicInteger();
  private final Vertx vertx;
  private final String scheme;

  private LocalJwksServer(Vertx vertx, String jwks, HttpServerOptions options) {
    this.vertx = vertx;
    this.jwks = new AtomicReference<>(jwks);
    this.scheme = options.isSsl() ? "https" : "http";
    this.server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0)).requestHandler(this::handle);
  }

  /** Starts serving {@code jwks} on 127.0.0.1 and an ephemeral port; returns once listening. */
  public static LocalJwksServer start(Vertx vertx, String jwks) {
    return start(vertx, jwks, new HttpServerOptions());
  }

  /** As {@link #start(Vertx, String)}, over TLS with {@code certificate} (its CN need not match). */
  public static LocalJwksServer startTls(Vertx vertx, String jwks, io.vertx.core.net.SelfSignedCertificate certificate) {
    return start(vertx, jwks, new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()));
  }

  private static LocalJwksServer start(Vertx vertx, String jwks, HttpServerOptions options) {
    LocalJwksServer s = new LocalJwksServer(vertx, jwks, options);
    try {
      s.server.listen().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("JWKS server did not start", e);
    }
    return s;
  }

  private void handle(HttpServerRequest request) {
    boolean isJwks = request.path().equals("/jwks.json");
    boolean isDiscovery = request.path().equals("/.well-known/openid-configuration");
    if (isJwks) jwksFetches.incrementAndGet();
    if (isDiscovery) discoveryFetches.incrementAndGet();
    Runnable answer = () -> {
      if (!isJwks && !isDiscovery) {
        request.response().setStatusCode(404).end();
        return;
      }
      int status = failWith.get();
      if (status != 0) {
        request.response().setStatusCode(status).end("down");
        return;
      }
      String body = isJwks ? jwks.get()
          : "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwksUri() + "\"}";
      var response = request.response().putHeader("Content-Type", "application/json");
      String cc = cacheControl.get();
      if (cc != null && isJwks) response.putHeader("Cache-Control", cc);
      response.end(body);
    };
    long ms = delay.get().toMillis();
    if (ms > 0) vertx.setTimer(ms, t -> answer.run());
    else answer.run();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>}: the issuer whose discovery document this server serves. */
  public String issuer() {
    return scheme + "://127.0.0.1:" + port();
  }

  public URI jwksUri() {
    return URI.create(issuer() + "/jwks.json");
  }

  public void setJwks(String json) {
    jwks.set(json);
  }

  /** The Cache-Control header of JWKS answers; null for none. */
  public void setCacheControl(String value) {
    cacheControl.set(value);
  }

  /** Answer every request with this status (e.g. 503) until {@link #recover()}. */
  public void failWith(int status) {
    failWith.set(status);
  }

  public void recover() {
    failWith.set(0);
  }

  /** Delay every answer by this much (server side; tests still never sleep). */
  public void setDelay(Duration d) {
    delay.set(d);
  }

  /** JWKS requests received so far. */
  public int fetches() {
    return jwksFetches.get();
  }

  public int discoveryFetches() {
    return discoveryFetches.get();
  }

  @Override
  public void close() {
    try {
      server.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("JWKS server did not close", e);
    }
  }
}
