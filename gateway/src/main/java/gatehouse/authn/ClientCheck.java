package gatehouse.authn;

import java.util.Set;

/**
 * The client allow-list shared by JWTs and introspection answers ({@code allowed_clients}). The
 * client a token was issued to is {@code azp} (OpenID Connect Core section 2, which Keycloak sets
 * on every access token) or else {@code client_id} (RFC 9068 section 2.2, RFC 7662 section 2.2).
 * When both are present they must name the same client: two claims naming two clients could be
 * read differently by different components, so the token is refused whichever of them is allowed.
 */
public enum ClientCheck {
  /** The token's client is on the list. */
  ALLOWED,
  /** The token's client is not on the list. */
  NOT_ALLOWED,
  /** Neither {@code azp} nor {@code client_id}. */
  ABSENT,
  /** {@code azp} and {@code client_id} both present and different. */
  AMBIGUOUS,
  /** {@code azp} or {@code client_id} present but not a non-empty string. */
  MALFORMED;

  /** Checks the parsed JSON values of {@code azp} and {@code client_id} (null when absent) against {@code allowed}. */
  public static ClientCheck of(Object azp, Object clientId, Set<String> allowed) {
    if (azp != null && !(azp instanceof String a && !a.isEmpty())) return MALFORMED;
    if (clientId != null && !(clientId instanceof String c && !c.isEmpty())) return MALFORMED;
    if (azp == null && clientId == null) return ABSENT;
    if (azp != null && clientId != null && !azp.equals(clientId)) return AMBIGUOUS;
    return allowed.contains(azp != null ? azp : clientId) ? ALLOWED : NOT_ALLOWED;
  }

  /** The client {@link #of} judged, for a log detail: {@code azp} if present, else {@code client_id}; null for neither. */
  public static String named(Object azp, Object clientId) {
    Object c = azp != null ? azp : clientId;
    return c instanceof String s ? s : null;
  }
}
