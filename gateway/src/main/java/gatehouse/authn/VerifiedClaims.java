package gatehouse.authn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claims an authenticator verified, handed to later stages as they were verified: a JSON
 * object as the project's JSON readers return it ({@code String}, {@code Boolean}, {@code Long},
 * {@code Integer}, a finite {@code Double}, {@code List}, {@code Map}, JSON {@code null} as {@code
 * null}). Immutable: copied once, when the authenticator builds it, into unmodifiable maps and
 * lists. Which claim becomes which upstream header is stage 6's choice ({@code gatehouse.identity});
 * the values are read only by {@link ClaimPath}.
 */
public final class VerifiedClaims {
  /** No claims: an identity whose headers are all left unset. */
  public static final VerifiedClaims NONE = new VerifiedClaims(Map.of());

  private final Map<String, Object> claims;

  private VerifiedClaims(Map<String, Object> claims) {
    this.claims = claims;
  }

  /** A frozen copy of {@code claims}, a JSON object. */
  public static VerifiedClaims of(Map<String, ?> claims) {
    return claims.isEmpty() ? NONE : new VerifiedClaims(freezeObject(claims));
  }

  /** The value at {@code path} with the path as its source, or empty when it is missing or JSON {@code null}. */
  public Optional<ClaimValue> at(ClaimPath path) {
    return path.resolve(claims).map(v -> new ClaimValue(path.toString(), v));
  }

  private static Map<String, Object> freezeObject(Map<?, ?> object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : object.entrySet()) out.put((String) e.getKey(), freeze(e.getValue()));
    return Collections.unmodifiableMap(out);
  }

  private static Object freeze(Object value) {
    if (value instanceof Map<?, ?> object) return freezeObject(object);
    if (value instanceof List<?> array) {
      List<Object> out = new ArrayList<>(array.size());
      for (Object element : array) out.add(freeze(element));
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifiedClaims c && c.claims.equals(claims);
  }

  @Override
  public int hashCode() {
    return claims.hashCode();
  }

  /** The claim names only: claims are personal data, kept out of logs. */
  @Override
  public String toString() {
    return "VerifiedClaims" + claims.keySet();
  }
}
