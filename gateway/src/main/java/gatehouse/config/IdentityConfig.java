package gatehouse.config;

import java.util.List;
import java.util.Map;

/**
 * {@code identity:}. {@code claims} maps a claim path to the header it fills (default {@code sub:
 * X-User-Id, role: X-User-Role, email: X-User-Email}); {@code reservedHeaders} are names (a
 * trailing {@code *} is a prefix) stripped from every request before identity headers are set
 * (default {@code X-User-*, X-Owner-Id, X-Scopes, X-Key-Id}). Configured reserved headers are added
 * to the defaults, never replace them. {@code maxHeaderValue} bounds one identity header's value
 * once encoded, in bytes (default {@value #DEFAULT_MAX_HEADER_VALUE}); a longer one refuses the
 * request.
 */
public record IdentityConfig(Map<String, String> claims, List<String> reservedHeaders, int maxHeaderValue) {
  public static final int DEFAULT_MAX_HEADER_VALUE = 4096;

  public IdentityConfig {
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
    reservedHeaders = List.copyOf(reservedHeaders);
  }

  /** With the default {@code max_header_value}. */
  public IdentityConfig(Map<String, String> claims, List<String> reservedHeaders) {
    this(claims, reservedHeaders, DEFAULT_MAX_HEADER_VALUE);
  }
}
