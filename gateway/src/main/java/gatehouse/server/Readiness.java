package gatehouse.server;

/**
 * One dependency's readiness, shown by the admin {@code /ready} endpoint.
 *
 * @param ready whether the gateway can serve with it (what {@code /ready} answers): true while a
 *     stale key set or a cache still carries an outage
 * @param up whether the dependency itself answers now: false while JWKS fetches fail, an
 *     introspection breaker is not closed, or the key store is unreachable. Exported as {@code
 *     gatehouse_dependency_ready}, so an operator can alert on an outage that does not (yet) make
 *     the gateway unready.
 */
public record Readiness(String name, boolean ready, boolean up, String detail) {
  /** A dependency that is up exactly when it is ready. */
  public Readiness(String name, boolean ready, String detail) {
    this(name, ready, ready, detail);
  }
}
