package gatehouse.config;

import java.util.List;

/** {@code auth:}, the credential verifiers. Each list may be empty. */
public record AuthConfig(List<JwtProviderConfig> jwt, ApiKeyExtractionConfig apiKeys, List<IntrospectionConfig> introspection) {
  public AuthConfig {
    jwt = List.copyOf(jwt);
    introspection = List.copyOf(introspection);
  }

  /** Without introspection providers. */
  public AuthConfig(List<JwtProviderConfig> jwt, ApiKeyExtractionConfig apiKeys) {
    this(jwt, apiKeys, List.of());
  }
}
