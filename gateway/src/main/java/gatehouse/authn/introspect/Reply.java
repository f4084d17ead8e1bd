package gatehouse.authn.introspect;

import java.util.Map;

/** What the HTTP exchange with the introspection endpoint produced, before its members are judged. */
sealed interface Reply {

  /** HTTP 200 with a body that is one JSON object without duplicate members. */
  record Json(Map<String, Object> members) implements Reply {}

  /** Anything else; {@code reason} is fit for the log and never holds the token or client secret. */
  record Failure(String reason) implements Reply {}
}
