package gatehouse.config;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code auth:}, the credential verifiers. Each list may be empty. {@code apiKeys} says where keys
 * are read from, {@code keyStore} where they are kept and how they are checked.
 */
public record AuthConfig(List<JwtProviderConfig> jwt, ApiKeyExtractionConfig apiKeys, List<IntrospectionConfig> introspection,
    ApiKeysConfig keyStore) {
  public AuthConfig {
    jwt = List.copyOf(jwt);
    introspection = List.copyOf(introspection);
  }

  /** Without introspection providers, with the default key store ({@code data/gatehouse.db} under {@code baseDir}). */
  public AuthConfig(List<JwtProviderConfig> jwt, ApiKeyExtractionConfig apiKeys, Path baseDir) {
    this(jwt, apiKeys, List.of(), ApiKeysConfig.defaults(baseDir));
  }
}
