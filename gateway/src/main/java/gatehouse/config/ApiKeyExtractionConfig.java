package gatehouse.config;

import java.util.Optional;

/**
 * Where API keys are read from: {@code auth.api_keys.header} (default {@code X-API-Key}) and
 * {@code auth.api_keys.query_param} (default {@code api_key}; {@code false} disables it).
 */
public record ApiKeyExtractionConfig(String header, Optional<String> queryParam) {
  public static ApiKeyExtractionConfig defaults() {
    return new ApiKeyExtractionConfig("X-API-Key", Optional.of("api_key"));
  }
}
