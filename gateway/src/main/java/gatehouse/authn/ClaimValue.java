package gatehouse.authn;

/**
 * The verified value behind one identity header, as {@link VerifiedClaims} holds it. Stage 6
 * ({@code gatehouse.identity}) turns it into header bytes by one documented rule, or refuses the request
 * when the value cannot be carried faithfully (docs/policies-and-identity.md "Identity headers").
 *
 * @param source where the value was read: a claim path as configured ({@code email}, {@code
 *     realm_access.roles}), or for an API key the key store's field ({@code owner_id}). Named in refusals and logs;
 *     the value never is.
 * @param value a JSON value as the project's JSON readers return it: {@code String}, {@code
 *     Boolean}, {@code Long}, {@code Integer}, a finite {@code Double}, a {@code List} of values or a
 *     {@code Map} (an object), unmodifiable as {@link VerifiedClaims} froze it.
 */
public record ClaimValue(String source, Object value) {
  public ClaimValue {
    java.util.Objects.requireNonNull(source, "source");
    java.util.Objects.requireNonNull(value, "value");
  }
}
