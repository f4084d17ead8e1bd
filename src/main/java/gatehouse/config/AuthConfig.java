package gatehouse.config;

import java.util.List;

/** {@code auth:}, the credential verifiers. Each list may be empty. */
public record AuthConfig(List<JwtProviderConfig> jwt, ApiKeyExtractionConfig apiKeys) {
  public AuthConfig {
    jwt = List.copyOf(jwt);
  }
}
