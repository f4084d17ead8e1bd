package gatehouse.authz;

/** Whether a verified identity may use a route. */
public sealed interface Decision {

  record Allow() implements Decision {}

  /** The identity is valid but lacks what the route needs: 403 with {@code code}. */
  record Deny(String code, String message) implements Decision {}
}
