package gatehouse.authn.introspect;

import java.util.Map;

/** What the HTTP exchange with the introspection endpoint produced, before its members are judged. */
sealed interface Reply {

  /** HTTP 200 with a body that is one JSON object without duplicate members. */
  record Json(Map<String, Object> members) implements Reply {}

  /**
   * The server refused the token, not the gateway: HTTP 400 with an RFC 6749 section 5.2 {@code
   * error} that names the request's content ({@code invalid_request}, {@code invalid_token}, ...),
   * or 413 for a token too large to post. The token's failure, never the server's: it does not
   * count against the circuit breaker. {@code reason} is fit for the log.
   */
  record TokenRefused(String reason) implements Reply {}

  /**
   * Anything else, a fault of the dependency: no answer, 5xx, our client credentials refused,
   * a body that is not an answer. {@code reason} is fit for the log and never holds the token or
   * client secret.
   */
  record Failure(String reason) implements Reply {}
}
