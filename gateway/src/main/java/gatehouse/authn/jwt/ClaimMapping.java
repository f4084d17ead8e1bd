package gatehouse.authn.jwt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns verified claims into roles, scopes and identity headers. Compiled once per provider.
 * Claims are data the IdP let users influence (names, emails), so values are checked before they
 * become header text.
 *
 * <p>Public through {@link #compile} only so that other authenticators which verify a JSON object
 * of claims (the introspection authenticator's RFC 7662 answers) map it by the same rules and the
 * same claim-path syntax; everything else about JWTs stays package-private.
 */
public final class ClaimMapping {
  private static final Logger log = LoggerFactory.getLogger(ClaimMapping.class);
  private static final ClaimPath SCOPE = ClaimPath.parse("scope");
  private static final ClaimPath SCP = ClaimPath.parse("scp");

  private final String provider;
  private final ClaimPath roles;
  private final Map<ClaimPath, String> headers;

  /**
   * @param rolesClaim the path the roles are read from
   * @param headers claim path → header name, in config order
   * @throws IllegalArgumentException naming the config key, for a path that does not parse
   */
  ClaimMapping(String provider, String rolesClaim, Map<String, String> headers) {
    this("jwt:" + provider, "auth.jwt[" + provider + "]", rolesClaim, headers);
  }

  private ClaimMapping(String label, String configKey, String rolesClaim, Map<String, String> headers) {
    this.provider = label;
    this.roles = path(configKey + ".roles_claim", rolesClaim);
    Map<ClaimPath, String> compiled = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : headers.entrySet()) {
      compiled.put(path(configKey + ".claims", e.getKey()), e.getValue());
    }
    this.headers = compiled;
  }

  /**
   * A mapping for claims that did not come from a JWT.
   *
   * @param label names the source in debug logs, e.g. {@code introspection:corp}
   * @param configKey prefixes messages about bad paths, e.g. {@code auth.introspection[corp]}
   * @param rolesClaim the path the roles are read from
   * @param headers claim path → header name, in config order
   * @throws IllegalArgumentException naming {@code configKey}, for a path that does not parse
   */
  public static ClaimMapping compile(String label, String configKey, String rolesClaim, Map<String, String> headers) {
    return new ClaimMapping(label, configKey, rolesClaim, headers);
  }

  private static ClaimPath path(String key, String text) {
    try {
      return ClaimPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** Roles: a string is one role, an array gives its string elements; anything else gives none. */
  public Set<String> roles(Map<String, Object> claims) {
    return strings(roles.resolve(claims), false);
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
   * Header name → value for every mapped claim that is present and renders to a safe value. A
   * missing claim leaves its header unset (the reserved names were stripped from the request
   * before): logged at debug with the claim path, never with the value.
   */
  public Map<String, String> headers(Map<String, Object> claims) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<ClaimPath, String> e : headers.entrySet()) {
      Optional<Object> value = e.getKey().resolve(claims);
      if (value.isEmpty()) {
        log.debug("{} claim {} is missing; header {} not set", provider, e.getKey(), e.getValue());
        continue;
      }
      String text = render(value.get());
      if (text == null) {
        log.debug("{} claim {} is an object; header {} not set", provider, e.getKey(), e.getValue());
      } else if (!isSafeHeaderValue(text)) {
        log.debug("{} claim {} holds control characters; header {} not set", provider, e.getKey(), e.getValue());
      } else {
        out.put(e.getValue(), text);
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

  /** Scalars as JSON shows them, arrays of scalars comma-joined; null for objects. */
  static String render(Object value) {
    if (value instanceof String s) return s;
    if (value instanceof Boolean || value instanceof Long || value instanceof Integer) return value.toString();
    if (value instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    }
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object element : list) {
        if (element == null) continue;
        String part = element instanceof List<?> ? null : render(element);
        if (part == null) return null;
        parts.add(part);
      }
      return String.join(",", parts);
    }
    return null;
  }

  /** RFC 9110 section 5.5: no CR, LF, NUL or other controls except HTAB (header injection). */
  static boolean isSafeHeaderValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
  }
}
