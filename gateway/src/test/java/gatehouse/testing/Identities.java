package gatehouse.testing;

import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading an {@link Identity} in tests. */
public final class Identities {
  private Identities() {}

  /** Header name → the verified value behind it, without the claim path it came from. */
  public static Map<String, Object> headerValues(Identity identity) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ClaimValue> e : identity.headers().entrySet()) out.put(e.getKey(), e.getValue().value());
    return out;
  }
}
