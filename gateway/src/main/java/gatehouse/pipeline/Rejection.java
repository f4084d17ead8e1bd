package gatehouse.pipeline;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Quota;
import java.time.Duration;
import java.util.Optional;

/**
 * Why a request does not reach its upstream. {@link ErrorResponses#write} turns each into the one
 * reply the client sees; nothing else in the gateway sets an error status.
 */
public sealed interface Rejection {

  /** 404 {@code no_route}. */
  record NoRoute() implements Rejection {}

  /** 400: an ambiguous target, ambiguous credentials or framing. */
  record BadRequest(String code, String message) implements Rejection {}

  /**
   * 401 with a challenge of {@code kind}; {@code failure} is empty when no credential was
   * presented. The kind is the presented credential's, or, with none, the one the route asks for.
   */
  record Unauthenticated(Challenge kind, Optional<AuthFailure> failure) implements Rejection {}

  /**
   * Which credential a 401 is about: {@code BEARER} answers per RFC 6750 section 3
   * ({@code unauthenticated}, {@code invalid_token}); {@code API_KEY} answers {@code
   * api_key_required} or {@code invalid_api_key}, the same reply for every reason a key fails.
   */
  enum Challenge { BEARER, API_KEY, CERTIFICATE }

  /**
   * 403: the identity is valid but lacks a role or scope; {@code bearer} when it came from a bearer
   * token, so the reply carries RFC 6750's {@code insufficient_scope} challenge.
   */
  record Forbidden(String code, String message, boolean bearer) implements Rejection {}

  /** 414 {@code request_line_too_long}: refused by the HTTP decoder. */
  record RequestLineTooLong() implements Rejection {}

  /** 431 {@code headers_too_large}: refused by the HTTP decoder. */
  record HeadersTooLarge() implements Rejection {}

  /**
   * 408 {@code request_header_timeout}: a request head was not complete within {@code
   * limits.header_read_timeout}; the connection closes after the reply.
   */
  record HeadTimeout() implements Rejection {}

  /** 500 {@code internal_error}: a bug; details go to the log only. */
  record InternalError() implements Rejection {}

  /** 408 {@code request_timeout}: the request body was later than {@code limits.body_timeout} or slower than {@code limits.body_min_rate}. */
  record RequestTimeout() implements Rejection {}

  /** 413 {@code payload_too_large}. */
  record PayloadTooLarge(long limitBytes) implements Rejection {}

  /** 429 {@code rate_limited} with {@code Retry-After}, and the {@code RateLimit-*} fields when {@code quota} is known. */
  record RateLimited(Duration retryAfter, Optional<Quota> quota) implements Rejection {
    public RateLimited(Duration retryAfter) {
      this(retryAfter, Optional.empty());
    }
  }

  /** 502: the upstream refused, reset or answered garbage; {@code code} says which. */
  record BadGateway(String code, String message) implements Rejection {}

  /** 503 {@code dependency_unavailable}: we cannot verify, so we fail closed. */
  record DependencyDown(String dependency, Duration retryAfter) implements Rejection {}

  /**
   * 503 {@code rate_limiter_unavailable} with {@code Retry-After}: the rate limiter could not say
   * whether the request is within its limits, so we fail closed. {@code reason} is for the log.
   */
  record LimiterUnavailable(String reason, Duration retryAfter) implements Rejection {}

  /**
   * 503 {@code upstream_unavailable} with {@code Retry-After}: the upstream's breaker is open after
   * consecutive failures, so the request was not sent.
   */
  record UpstreamUnavailable(String upstream, Duration retryAfter) implements Rejection {}

  /**
   * 503 with {@code Retry-After}: a bound on waiting work was reached, so the request is refused at
   * once instead of queued. {@code code} is {@code upstream_busy} (the upstream's pool and its queue
   * are full) or {@code route_busy} (the route has {@code max_concurrent} requests in flight).
   */
  record Busy(String code, Duration retryAfter) implements Rejection {}

  /**
   * 504 {@code upstream_timeout}. {@code queued}: the request waited behind an upstream pool whose
   * every connection was busy and none came free in time, so the upstream never saw it (slow
   * clients or a hung route of the same upstream can cause that); otherwise connecting or the
   * response headers took too long.
   */
  record GatewayTimeout(boolean queued) implements Rejection {}
}
