package gatehouse.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An OAuth 2.0 authorization server stand-in on 127.0.0.1 for tests: answers RFC 7662
 * introspection at {@code POST /introspect}. Tokens it knows answer their registered members with
 * {@code "active": true}; every other token answers {@code {"active": false}}. The client must
 * authenticate with {@link #CLIENT_ID} and {@link #CLIENT_SECRET}, by HTTP Basic
 * ({@code client_secret_basic}) or in the form ({@code client_secret_post}); otherwise 401.
 *
 * <p>While it runs a test can make it answer anything ({@link #answerRaw}), fail with a status,
 * drop connections, delay answers, or hold every answer until {@link #release()} (to have many
 * requests arrive while one call is in flight). Every call is recorded and counted.
 */
public final class LocalAuthorizationServer implements AutoCloseable {
  public static final String CLIENT_ID = "gateway";
  /** A client secret with characters that must be form-encoded in Basic auth (RFC 6749 section 2.3.1). */
  public static final String CLIENT_SECRET = "s3cret:with/odd+chars";

  /** One introspection request as received. */
  public record Call(String method, String contentType, Optional<String> authorization, Map<String, String> form,
      String clientAuth) {}

  /** A raw answer: status, content type, body. */
  public record Raw(int status, String contentType, String body) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final Map<String, JsonObject> active = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicReference<Raw> raw = new AtomicReference<>();
  private final Map<String, Raw> rawFor = new ConcurrentHashMap<>();
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<Promise<Void>> gate = new AtomicReference<>();
  private volatile boolean dropConnections;

  private LocalAuthorizationServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)).requestHandler(this::handle);
  }

  /** Starts on 127.0.0.1 and an ephemeral port; returns once listening. */
  public static LocalAuthorizationServer start(Vertx vertx) {
    return start(vertx, 0);
  }

  /**
   * Starts on 127.0.0.1 and {@code port} (0: ephemeral); returns once listening. A test that
   * stops a server and starts another on its port sees a real outage: connections refused.
   */
  public static LocalAuthorizationServer start(Vertx vertx, int port) {
    LocalAuthorizationServer s = new LocalAuthorizationServer(vertx, port);
    try {
      s.server.listen().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("authorization server did not start", e);
    }
    return s;
  }

  public int port() {
    return server.actualPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/introspect");
  }

  /** {@code token} is active; the answer holds {@code members} plus {@code "active": true}. */
  public LocalAuthorizationServer activate(String token, JsonObject members) {
    active.put(token, members.copy().put("active", true));
    return this;
  }

  /** {@code token} answers {@code {"active": false}} from now on. */
  public void revoke(String token) {
    active.remove(token);
  }

  /** Answer every call with exactly this, until {@link #recover()}. */
  public void answerRaw(int status, String contentType, String body) {
    raw.set(new Raw(status, contentType, body));
  }

  /** Answer every call about {@code token} with exactly this, whatever else is set, until {@link #recover()}. */
  public void answerRawFor(String token, int status, String contentType, String body) {
    rawFor.put(token, new Raw(status, contentType, body));
  }

  /** Answer every call with {@code status} and a plain-text body, until {@link #recover()}. */
  public void failWith(int status) {
    answerRaw(status, "text/plain", "down");
  }

  /** Close every connection without answering, until {@link #recover()}: a crashed server. */
  public void dropConnections() {
    dropConnections = true;
  }

  /** Answer normally again. */
  public void recover() {
    raw.set(null);
    rawFor.clear();
    dropConnections = false;
  }

  /** Delay every answer by this much (server side; tests never sleep). */
  public void setDelay(Duration d) {
    delay.set(d);
  }

  /** Hold every answer until {@link #release()}. */
  public void hold() {
    gate.set(Promise.promise());
  }

  /** Send every held answer, and stop holding. */
  public void release() {
    Promise<Void> g = gate.getAndSet(null);
    if (g != null) g.tryComplete();
  }

  /** Introspection calls received so far. */
  public int callCount() {
    return calls.size();
  }

  public List<Call> calls() {
    return new ArrayList<>(calls);
  }

  public Call lastCall() {
    return calls.get(calls.size() - 1);
  }

  private void handle(HttpServerRequest request) {
    if (dropConnections) {
      request.connection().close();
      return;
    }
    request.body().onSuccess(body -> {
      Map<String, String> form = parseForm(body.toString(StandardCharsets.UTF_8));
      Optional<String> authorization = Optional.ofNullable(request.getHeader("Authorization"));
      String clientAuth = clientAuth(authorization, form);
      calls.add(new Call(request.method().name(), String.valueOf(request.getHeader("Content-Type")), authorization,
          Map.copyOf(form), clientAuth));
      Runnable answer = () -> answer(request, form, clientAuth);
      Promise<Void> g = gate.get();
      Future<Void> ready = g == null ? Future.succeededFuture() : g.future();
      ready.onComplete(x -> {
        long ms = delay.get().toMillis();
        if (ms > 0) vertx.setTimer(ms, t -> answer.run());
        else answer.run();
      });
    });
  }

  private void answer(HttpServerRequest request, Map<String, String> form, String clientAuth) {
    Raw r = form.get("token") == null ? null : rawFor.get(form.get("token"));
    if (r == null) r = raw.get();
    if (r != null) {
      request.response().setStatusCode(r.status()).putHeader("Content-Type", r.contentType()).end(r.body());
      return;
    }
    if (!request.path().equals("/introspect") || !request.method().name().equals("POST")) {
      request.response().setStatusCode(404).end();
      return;
    }
    if (clientAuth.equals("none")) {
      request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"as\"")
          .putHeader("Content-Type", "application/json").end("{\"error\":\"invalid_client\"}");
      return;
    }
    JsonObject answer = Optional.ofNullable(form.get("token")).map(active::get).orElse(new JsonObject().put("active", false));
    request.response().putHeader("Content-Type", "application/json").end(answer.encode());
  }

  /** {@code client_secret_basic}, {@code client_secret_post}, or {@code none} when neither is right. */
  private static String clientAuth(Optional<String> authorization, Map<String, String> form) {
    if (authorization.isPresent() && authorization.get().startsWith("Basic ")) {
      String pair = new String(Base64.getDecoder().decode(authorization.get().substring(6)), StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      if (colon > 0 && decode(pair.substring(0, colon)).equals(CLIENT_ID) && decode(pair.substring(colon + 1)).equals(CLIENT_SECRET)) {
        return "client_secret_basic";
      }
      return "none";
    }
    if (CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"))) return "client_secret_post";
    return "none";
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body.isEmpty()) return out;
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    release();
    try {
      server.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("authorization server did not close", e);
    }
  }
}
