package gatehouse.pipeline;

import gatehouse.authn.AuthFailure;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The only place the gateway builds an error reply: status, challenge headers, a JSON body with a
 * stable {@code error} code, and the request id. Messages are fixed text: no credential, token,
 * stack trace or upstream detail ever reaches the client.
 */
public final class ErrorResponses {
  static final String REALM = "gatehouse";

  private ErrorResponses() {}

  /** The reply for {@code rejection}. */
  public static Reply of(Rejection rejection) {
    if (rejection instanceof Rejection.NoRoute) {
      return new Reply(404, "no_route", "no route matches this request", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.BadRequest r) {
      return new Reply(400, r.code(), r.message(), Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.Unauthenticated r) {
      return unauthenticated(r);
    }
    if (rejection instanceof Rejection.Forbidden r) {
      // RFC 6750 section 3.1: insufficient_scope answers 403 with a challenge.
      Optional<String> challenge = r.bearer()
          ? Optional.of("Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\", error_description=\"" + r.code() + "\"")
          : Optional.empty();
      return new Reply(403, r.code(), r.message(), challenge, Optional.empty());
    }
    if (rejection instanceof Rejection.RequestTimeout) {
      return new Reply(408, "request_timeout", "the request body was not received in time", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.PayloadTooLarge r) {
      return new Reply(413, "payload_too_large", "the request body is larger than " + r.limitBytes() + " bytes", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.RequestLineTooLong) {
      return new Reply(414, "request_line_too_long", "the request line is too long", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.HeadersTooLarge) {
      return new Reply(431, "headers_too_large", "the request headers are too large", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.HeadTimeout) {
      return new Reply(408, "request_header_timeout", "the request head did not arrive in time", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.InternalError) {
      return new Reply(500, "internal_error", "the gateway failed; the request id identifies it in the log", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.RateLimited r) {
      return new Reply(429, "rate_limited", "too many requests", Optional.empty(), Optional.of(seconds(r.retryAfter())),
          r.quota().map(RateLimitHeaders::of).orElse(Map.of()));
    }
    if (rejection instanceof Rejection.BadGateway r) {
      return new Reply(502, r.code(), "the upstream service failed", Optional.empty(), Optional.empty());
    }
    if (rejection instanceof Rejection.DependencyDown r) {
      return new Reply(503, "dependency_unavailable", "credentials cannot be verified right now", Optional.empty(), Optional.of(seconds(r.retryAfter())));
    }
    if (rejection instanceof Rejection.LimiterUnavailable r) {
      return new Reply(503, "rate_limiter_unavailable", "rate limits cannot be checked right now", Optional.empty(), Optional.of(seconds(r.retryAfter())));
    }
    if (rejection instanceof Rejection.UpstreamUnavailable r) {
      return new Reply(503, "upstream_unavailable", "the upstream service is failing; try again later", Optional.empty(), Optional.of(seconds(r.retryAfter())));
    }
    if (rejection instanceof Rejection.Busy r) {
      return new Reply(503, r.code(), "too many requests are waiting for this service", Optional.empty(), Optional.of(seconds(r.retryAfter())));
    }
    if (rejection instanceof Rejection.GatewayTimeout) {
      return new Reply(504, "upstream_timeout", "the upstream service did not answer in time", Optional.empty(), Optional.empty());
    }
    throw new AssertionError("unknown rejection " + rejection);
  }

  /** Writes the reply for {@code rejection} to {@code out}, which must not have been written to. */
  public static void write(Rejection rejection, String requestId, HttpServerResponse out) {
    Reply reply = of(rejection);
    out.setStatusCode(reply.status());
    fields(reply, requestId).forEach(f -> out.putHeader(f.getKey(), f.getValue()));
    out.end(body(reply, requestId));
  }

  /**
   * The reply for {@code rejection} as the bytes of a whole HTTP/1.1 response that ends with the
   * connection ({@code Connection: close}): for a connection that has no request whose response
   * could carry it, a head that could not be read or did not arrive in time.
   */
  public static byte[] http11(Rejection rejection, String requestId) {
    Reply reply = of(rejection);
    byte[] body = body(reply, requestId).getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(' ')
        .append(HttpResponseStatus.valueOf(reply.status()).reasonPhrase()).append("\r\n");
    fields(reply, requestId).forEach(f -> head.append(f.getKey()).append(": ").append(f.getValue()).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(headBytes, headBytes.length + body.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return all;
  }

  /** The header fields of {@code reply}, in order; framing fields are the writer's. */
  private static List<Map.Entry<String, String>> fields(Reply reply, String requestId) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("Content-Type", "application/json"));
    fields.add(Map.entry("Cache-Control", "no-store"));
    fields.add(Map.entry("X-Request-Id", requestId));
    reply.challenge().ifPresent(c -> fields.add(Map.entry("WWW-Authenticate", c)));
    reply.retryAfterSeconds().ifPresent(s -> fields.add(Map.entry("Retry-After", Long.toString(s))));
    fields.addAll(reply.headers().entrySet());
    return fields;
  }

  private static String body(Reply reply, String requestId) {
    return new JsonObject()
        .put("error", reply.code())
        .put("message", reply.message())
        .put("request_id", requestId)
        .encode();
  }

  private static Reply unauthenticated(Rejection.Unauthenticated r) {
    if (r.kind() == Rejection.Challenge.API_KEY) {
      // One reply for every reason a key fails (unknown, revoked, expired, malformed), so a caller
      // cannot tell them apart; the reason goes to the log only.
      String challenge = "ApiKey realm=\"" + REALM + "\"";
      if (r.failure().isEmpty()) {
        return new Reply(401, "api_key_required", "an API key is required", Optional.of(challenge), Optional.empty());
      }
      return new Reply(401, "invalid_api_key", "the API key is not valid", Optional.of(challenge + ", error=\"invalid_api_key\""), Optional.empty());
    }
    if (r.kind() == Rejection.Challenge.CERTIFICATE) {
      // No registered scheme names client certificates; this one tells a client what is missing.
      String challenge = "Certificate realm=\"" + REALM + "\"";
      if (r.failure().isEmpty()) {
        return new Reply(401, "unauthenticated", "a client certificate is required", Optional.of(challenge), Optional.empty());
      }
      return new Reply(401, "invalid_certificate", "the client certificate is not accepted: " + description(r.failure().get()),
          Optional.of(challenge + ", error=\"invalid_certificate\""), Optional.empty());
    }
    // RFC 6750 section 3.1: a request without credentials gets a bare challenge, no error code.
    StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(REALM).append('"');
    if (r.failure().isEmpty()) {
      return new Reply(401, "unauthenticated", "a bearer token is required", Optional.of(challenge.toString()), Optional.empty());
    }
    AuthFailure f = r.failure().get();
    challenge.append(", error=\"invalid_token\", error_description=\"").append(description(f)).append('"');
    return new Reply(401, "invalid_token", "the credential is not valid: " + description(f), Optional.of(challenge.toString()), Optional.empty());
  }

  /**
   * The failure's code, then the claim path it is about ({@code unrepresentable_claim: email}).
   * RFC 6750 section 3 allows only %x20-21 / %x23-5B / %x5D-7E in error_description; a path's
   * other characters are written {@code %XX} (UTF-8).
   */
  static String description(AuthFailure f) {
    if (f.claim().isEmpty()) return f.code();
    StringBuilder b = new StringBuilder(f.code()).append(": ");
    for (byte x : f.claim().get().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' && c != '%') b.append((char) c);
      else b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
    }
    return b.toString();
  }

  private static long seconds(java.time.Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** An error reply as a value, for tests and the access log; {@code headers} are further fields (RateLimit-*). */
  public record Reply(int status, String code, String message, Optional<String> challenge, Optional<Long> retryAfterSeconds,
      Map<String, String> headers) {
    public Reply(int status, String code, String message, Optional<String> challenge, Optional<Long> retryAfterSeconds) {
      this(status, code, message, challenge, retryAfterSeconds, Map.of());
    }
  }
}
