package gatehouse.authn;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads roles and scopes from verified claims. Compiled once per provider. Which claim becomes which
 * identity header is not decided here but in stage 6 ({@code gatehouse.identity}).
 *
 * <p>Shared by the authenticators that verify a JSON object of claims (JWTs and RFC 7662 answers),
 * so they read it by the same rules and the same claim-path syntax without depending on one another.
 */
public final class ClaimMapping {
  private static final ClaimPath SCOPE = ClaimPath.parse("scope");
  private static final ClaimPath SCP = ClaimPath.parse("scp");

  private final List<ClaimPath> roles;

  private ClaimMapping(String configKey, List<String> rolesClaims) {
    if (rolesClaims.isEmpty()) throw new IllegalArgumentException(configKey + ".roles_claim: names no claim path");
    List<ClaimPath> roles = new java.util.ArrayList<>();
    for (int i = 0; i < rolesClaims.size(); i++) {
      roles.add(path(configKey + ".roles_claim" + (rolesClaims.size() == 1 ? "" : "[" + i + "]"), rolesClaims.get(i)));
    }
    this.roles = List.copyOf(roles);
  }

  /**
   * The mapping of one provider.
   *
   * @param configKey prefixes messages about bad paths, e.g. {@code auth.introspection[corp]}
   * @param rolesClaims the paths the roles are read from; the roles are the union of what each holds
   * @throws IllegalArgumentException naming {@code configKey}, for a path that does not parse
   */
  public static ClaimMapping compile(String configKey, List<String> rolesClaims) {
    return new ClaimMapping(configKey, rolesClaims);
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
