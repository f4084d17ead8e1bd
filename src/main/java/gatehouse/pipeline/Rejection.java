package gatehouse.pipeline;

import gatehouse.authn.AuthFailure;
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
   * 401 with a challenge for {@code scheme} ({@code Bearer} per RFC 6750 section 3, or {@code
   * ApiKey}); {@code failure} is empty when no credential was presented.
   */
  record Unauthenticated(String scheme, Optional<AuthFailure> failure) implements Rejection {}

  /**
   * 403: the identity is valid but lacks a role or scope; {@code bearer} when it came from a bearer
   * token, so the reply carries RFC 6750's {@code insufficient_scope} challenge.
   */
  record Forbidden(String code, String message, boolean bearer) implements Rejection {}

  /** 414 {@code request_line_too_long}: refused by the HTTP decoder. */
  record RequestLineTooLong() implements Rejection {}

  /** 431 {@code headers_too_large}: refused by the HTTP decoder. */
  record HeadersTooLarge() implements Rejection {}

  /** 500 {@code internal_error}: a bug; details go to the log only. */
  record InternalError() implements Rejection {}

  /** 413 {@code payload_too_large}. */
  record PayloadTooLarge(long limitBytes) implements Rejection {}

  /** 429 {@code rate_limited} with {@code Retry-After}. */
  record RateLimited(Duration retryAfter) implements Rejection {}

  /** 502: the upstream refused, reset or answered garbage; {@code code} says which. */
  record BadGateway(String code, String message) implements Rejection {}

  /** 503 {@code dependency_unavailable}: we cannot verify, so we fail closed. */
  record DependencyDown(String dependency, Duration retryAfter) implements Rejection {}

  /** 504 {@code upstream_timeout}. */
  record GatewayTimeout() implements Rejection {}
}
