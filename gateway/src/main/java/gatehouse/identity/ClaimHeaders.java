package gatehouse.identity;

import gatehouse.authn.ClaimPath;
import gatehouse.authn.ClaimValue;
import gatehouse.authn.VerifiedClaims;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which verified claim fills which identity header, for one source of identities (a JWT or
 * introspection provider, client certificates, API keys). Compiled once per config, in config
 * order. A missing claim leaves its header unset (the reserved names were stripped from the
 * request before): logged at debug with the claim path, never with the value.
 */
public final class ClaimHeaders {
  private static final Logger log = LoggerFactory.getLogger(ClaimHeaders.class);

  /** An API key's fields, as {@code authn.apikey} hands them over, and the headers they fill. */
  public static final ClaimHeaders API_KEYS = new ClaimHeaders("api_keys", List.of(new Mapped(ClaimPath.parse("owner_id"), "X-Owner-Id"),
      new Mapped(ClaimPath.parse("scopes"), "X-Scopes"), new Mapped(ClaimPath.parse("key_id"), "X-Key-Id")));

  /** One claim path and the header it fills. */
  record Mapped(ClaimPath path, String header) {}

  private final String source;
  private final List<Mapped> mapped;

  private ClaimHeaders(String source, List<Mapped> mapped) {
    this.source = source;
    this.mapped = List.copyOf(mapped);
  }

  /**
   * Compiles {@code claims} (claim path → header name).
   *
   * @param source names the source in debug logs, e.g. {@code jwt:main}
   * @param configKey the key the paths were read from, e.g. {@code auth.jwt[main].claims}
   * @throws IllegalArgumentException starting with {@code configKey}, for a path that does not parse
   */
  public static ClaimHeaders compile(String source, String configKey, Map<String, String> claims) {
    List<Mapped> mapped = new ArrayList<>();
    for (Map.Entry<String, String> e : claims.entrySet()) {
      try {
        mapped.add(new Mapped(ClaimPath.parse(e.getKey()), e.getValue()));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(configKey + ": " + x.getMessage(), x);
      }
    }
    return new ClaimHeaders(source, mapped);
  }

  List<Mapped> mapped() {
    return mapped;
  }

  /** The value behind {@code m}'s header, or empty (logged at debug) when the claim is missing. */
  Optional<ClaimValue> value(Mapped m, VerifiedClaims claims) {
    Optional<ClaimValue> value = claims.at(m.path());
    if (value.isEmpty()) log.debug("{} claim {} is missing; header {} not set", source, m.path(), m.header());
    return value;
  }

  /** Header name → the verified value behind it, for every mapped claim present, in config order. */
  public Map<String, ClaimValue> select(VerifiedClaims claims) {
    Map<String, ClaimValue> out = new LinkedHashMap<>();
    for (Mapped m : mapped) value(m, claims).ifPresent(v -> out.put(m.header(), v));
    return out;
  }
}
