package gatehouse.authn;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns verified claims into roles, scopes and the values behind identity headers. Compiled once
 * per provider. Claims are data the IdP let users influence (names, emails); turning a value into
 * header bytes, or refusing it, is stage 5's one rule ({@code gatehouse.identity}).
 *
 * <p>Shared by the authenticators that verify a JSON object of claims (JWTs, RFC 7662 answers,
 * the names of a client certificate), so they map it by the same rules and the same claim-path
 * syntax without depending on one another.
 */
public final class ClaimMapping {
  private static final Logger log = LoggerFactory.getLogger(ClaimMapping.class);
  private static final ClaimPath SCOPE = ClaimPath.parse("scope");
  private static final ClaimPath SCP = ClaimPath.parse("scp");

  private final String provider;
  private final List<ClaimPath> roles;
  private final Map<ClaimPath, String> headers;

  private ClaimMapping(String label, String configKey, List<String> rolesClaims, Map<String, String> headers) {
    this.provider = label;
    if (rolesClaims.isEmpty()) throw new IllegalArgumentException(configKey + ".roles_claim: names no claim path");
    List<ClaimPath> roles = new java.util.ArrayList<>();
    for (int i = 0; i < rolesClaims.size(); i++) {
      roles.add(path(configKey + ".roles_claim" + (rolesClaims.size() == 1 ? "" : "[" + i + "]"), rolesClaims.get(i)));
    }
    this.roles = List.copyOf(roles);
    Map<ClaimPath, String> compiled = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : headers.entrySet()) {
      compiled.put(path(configKey + ".claims", e.getKey()), e.getValue());
    }
    this.headers = compiled;
  }

  /**
   * The mapping of one provider.
   *
   * @param label names the source in debug logs, e.g. {@code jwt:main}, {@code introspection:corp}
   * @param configKey prefixes messages about bad paths, e.g. {@code auth.introspection[corp]}
   * @param rolesClaims the paths the roles are read from; the roles are the union of what each holds
   * @param headers claim path → header name, in config order
   * @throws IllegalArgumentException naming {@code configKey}, for a path that does not parse
   */
  public static ClaimMapping compile(String label, String configKey, List<String> rolesClaims, Map<String, String> headers) {
    return new ClaimMapping(label, configKey, rolesClaims, headers);
  }

  private static ClaimPath path(String key, String text) {
    try {
      return ClaimPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Roles: the union over the role paths, in config order (Keycloak's {@code realm_access.roles}
   * and {@code resource_access.<client>.roles}, say). At each path a string is one role and an
   * array gives its string elements; anything else, or nothing, adds none.
   */
  public Set<String> roles(Map<String, Object> claims) {
    if (roles.size() == 1) return strings(roles.get(0).resolve(claims), false);
    Set<String> out = new LinkedHashSet<>();
    for (ClaimPath path : roles) out.addAll(strings(path.resolve(claims), false));
    return out;
  }

  /**
   * Scopes: {@code scope} is a space-separated string (RFC 8693 section 4.2); {@code scp} is an
   * array, or a space-separated string as Azure AD sends it. Both are read and joined.
   */
  public Set<String> scopes(Map<String, Object> claims) {
    Set<String> out = new LinkedHashSet<>(strings(SCOPE.resolve(claims), true));
    out.addAll(strings(SCP.resolve(claims), true));
    return out;
  }

  /**
   * Header name → the verified value of every mapped claim that is present, with the claim path as
   * its source. The value is handed over as the JSON reader returned it: stage 5 turns it into
   * header bytes by one rule, or refuses the request. A missing claim leaves its header unset (the
   * reserved names were stripped from the request before): logged at debug with the claim path,
   * never with the value.
   */
  public Map<String, ClaimValue> headers(Map<String, Object> claims) {
    Map<String, ClaimValue> out = new LinkedHashMap<>();
    for (Map.Entry<ClaimPath, String> e : headers.entrySet()) {
      Optional<Object> value = e.getKey().resolve(claims);
      if (value.isEmpty()) {
        log.debug("{} claim {} is missing; header {} not set", provider, e.getKey(), e.getValue());
      } else {
        out.put(e.getValue(), new ClaimValue(e.getKey().toString(), value.get()));
      }
    }
    return out;
  }

  private static Set<String> strings(Optional<Object> value, boolean splitSpaces) {
    Set<String> out = new LinkedHashSet<>();
    if (value.isEmpty()) return out;
    Object v = value.get();
    if (v instanceof String s) {
      if (splitSpaces) {
        for (String part : s.split(" ")) if (!part.isEmpty()) out.add(part);
      } else if (!s.isEmpty()) {
        out.add(s);
      }
    } else if (v instanceof List<?> list) {
      for (Object element : list) if (element instanceof String s && !s.isEmpty()) out.add(s);
    }
    return out;
  }
}
