package gatehouse.config;

import java.util.List;
import java.util.Optional;

/**
 * {@code auth.api_keys.admin_api}: the key-management endpoints of the admin listener. Without a
 * {@code token} they are off. {@code allowFrom} lists the CIDRs of peers besides loopback that
 * may call them. {@link #toString()} never shows the token.
 */
public record AdminApiConfig(Optional<String> token, List<String> allowFrom) {
  public AdminApiConfig {
    allowFrom = List.copyOf(allowFrom);
  }

  public static AdminApiConfig off() {
    return new AdminApiConfig(Optional.empty(), List.of());
  }

  @Override
  public String toString() {
    return "AdminApiConfig[token " + (token.isPresent() ? "set" : "unset") + ", allowFrom " + allowFrom + "]";
  }
}
