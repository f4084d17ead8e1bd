package gatehouse.authn.introspect;

import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.config.IntrospectionConfig;
import gatehouse.tls.Trust;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * One RFC 7662 call: {@code POST} of {@code token} and {@code token_type_hint=access_token} as
 * {@code application/x-www-form-urlencoded}, with the client authenticated by HTTP Basic or in
 * the body (RFC 6749 section 2.3.1). Asynchronous through the Vert.x {@link WebClient}; the
 * returned future always succeeds, with a {@link Reply}, within {@code timeout} (a timer bounds
 * the whole exchange, not only the wait for each byte). No redirects are followed: the endpoint is
 * configuration, and a redirect would carry the token somewhere else.
 */
final class IntrospectionClient {
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final WebClient client;
  /** The client under {@link #client}, and what lets Vert.x forget it once closed ({@link gatehouse.transport.HttpClients}). */
  private final io.vertx.core.http.HttpClientAgent http;
  private final Runnable release;
  private final IntrospectionConfig config;
  private final String basicAuthorization;

  IntrospectionClient(Vertx vertx, IntrospectionConfig config) {
    this.vertx = vertx;
    this.config = config;
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("gatehouse-introspection")
        .setFollowRedirects(false)
        .setVerifyHost(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()));
    // The system trust store plus the configured CA file (a configured ca must not drop the public CAs).
    config.ca().ifPresent(ca -> options.setTrustOptions(Trust.systemPlus(ca)));
    io.vertx.core.http.HttpClientAgent http = vertx.httpClientBuilder().with(options).build();
    this.release = gatehouse.transport.HttpClients.releaser(vertx, http);
    this.http = http;
    this.client = WebClient.wrap(http, options);
    // RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are joined and encoded.
    String pair = form(config.clientId()) + ":" + form(config.clientSecret().reveal());
    this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** Asks about {@code token}. Never fails; the reply's reason never holds the token or secret. */
  Future<Reply> introspect(String token) {
    Promise<Reply> done = Promise.promise();
    long timeoutMs = Math.max(1, config.timeout().toMillis());
    long timer = vertx.setTimer(timeoutMs, t -> done.tryComplete(new Reply.Failure("no answer within " + config.timeout().toMillis() + "ms")));
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("token", token)
        .add("token_type_hint", "access_token");
    HttpRequest<Buffer> request = client.postAbs(config.endpoint().toString())
        .timeout(timeoutMs)
        .putHeader("Accept", "application/json");
    if (config.authMethod() == IntrospectionConfig.AuthMethod.CLIENT_SECRET_BASIC) {
      request.putHeader("Authorization", basicAuthorization);
    } else {
      form.add("client_id", config.clientId()).add("client_secret", config.clientSecret().reveal());
    }
    Future<HttpResponse<Buffer>> sent;
    try {
      sent = request.sendForm(form);
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    sent.onComplete(ar -> {
      vertx.cancelTimer(timer);
      done.tryComplete(ar.succeeded() ? read(ar.result().statusCode(), ar.result().body()) : new Reply.Failure(describe(ar.cause())));
    });
    return done.future();
  }

  /**
   * The RFC 6749 section 5.2 {@code error} codes that, answered with HTTP 400, are about the token
   * the gateway passed on rather than about the gateway: the client's token provoked them. Every
   * other 400 ({@code invalid_client}, {@code unauthorized_client}, no code at all) is about our
   * request or our credentials and counts as a fault of the dependency.
   */
  static final java.util.Set<String> TOKEN_ERRORS =
      java.util.Set.of("invalid_request", "invalid_token", "unsupported_token_type", "invalid_grant");

  /** Classifies one HTTP answer; see {@link Reply}. Never quotes a body: it might echo the token. */
  static Reply read(int status, Buffer body) {
    if (status == 401 || status == 403) {
      return new Reply.Failure("the authorization server refused the gateway's client credentials (HTTP " + status
          + "); check client_id, client_secret and auth_method");
    }
    if (status == 413) return new Reply.TokenRefused("answered HTTP 413: the token is too large for the server");
    if (status == 400) {
      String error = errorCode(body);
      if (error != null && TOKEN_ERRORS.contains(error)) return new Reply.TokenRefused("answered HTTP 400 " + error);
      if ("invalid_client".equals(error) || "unauthorized_client".equals(error)) {
        return new Reply.Failure("the authorization server refused the gateway's client credentials (HTTP 400 " + error
            + "); check client_id, client_secret and auth_method");
      }
      return new Reply.Failure(error == null ? "answered HTTP 400 without an RFC 6749 error code"
          : "answered HTTP 400 with an error code that is not about the token");
    }
    if (status != 200) return new Reply.Failure("answered HTTP " + status);
    if (body == null || body.length() == 0) return new Reply.Failure("answered HTTP 200 with an empty body");
    if (body.length() > MAX_BODY_BYTES) return new Reply.Failure("answered " + body.length() + " bytes, over the limit of " + MAX_BODY_BYTES);
    Map<String, Object> members = json(body);
    // Never quote the body: a broken server might echo the token back.
    if (members == null) return new Reply.Failure("answered HTTP 200 with a body that is not one JSON object without duplicate members");
    return new Reply.Json(members);
  }

  /** The string {@code error} member of an RFC 6749 error body, or null when there is none. */
  private static String errorCode(Buffer body) {
    if (body == null || body.length() == 0 || body.length() > MAX_BODY_BYTES) return null;
    Map<String, Object> members = json(body);
    return members != null && members.get("error") instanceof String e ? e : null;
  }

  private static Map<String, Object> json(Buffer body) {
    try {
      return JSONObjectUtils.parse(body.toString(StandardCharsets.UTF_8));
    } catch (java.text.ParseException | RuntimeException e) {
      return null;
    }
  }

  private String describe(Throwable cause) {
    if (cause instanceof TimeoutException) {
      return "no answer within " + config.timeout().toMillis() + "ms";
    }
    String message = cause.getMessage();
    return "request failed: " + cause.getClass().getSimpleName() + (message == null ? "" : " " + message);
  }

  void close() {
    gatehouse.transport.HttpClients.close(http, release);
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
