package gatehouse.testing;

import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.identity.ClaimHeaders;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading an {@link Identity} in tests. */
public final class Identities {
  private Identities() {}

  /** Header name → the verified value behind it, as stage 6 selects it by {@code claims} (claim path → header). */
  public static Map<String, ClaimValue> headers(Identity identity, Map<String, String> claims) {
    return ClaimHeaders.compile("test", "claims", claims).select(identity.claims());
  }

  /** As {@link #headers}, without the claim path each value came from. */
  public static Map<String, Object> headerValues(Identity identity, Map<String, String> claims) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ClaimValue> e : headers(identity, claims).entrySet()) out.put(e.getKey(), e.getValue().value());
    return out;
  }
}
