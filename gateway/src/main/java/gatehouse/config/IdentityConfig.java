package gatehouse.config;

import java.util.List;
import java.util.Map;

/**
 * {@code identity:}. {@code claims} maps a claim path to the header it fills (default {@code sub:
 * X-User-Id, role: X-User-Role, email: X-User-Email}); {@code reservedHeaders} are names (a
 * trailing {@code *} is a prefix) stripped from every request before identity headers are set
 * (default {@code X-User-*, X-Owner-Id, X-Scopes, X-Key-Id}). Configured reserved headers are added
 * to the defaults, never replace them.
 */
public record IdentityConfig(Map<String, String> claims, List<String> reservedHeaders) {
  public IdentityConfig {
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
    reservedHeaders = List.copyOf(reservedHeaders);
  }
}
