package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Checks a JWT provider and an introspection provider both make on a token they accept.
 *
 * @param allowedClients {@code allowed_clients}: the token's {@code azp}, else its {@code
 *     client_id}, must be one of these (empty: not checked)
 * @param maxLifetime {@code max_token_lifetime}: {@code exp - iat}, or {@code exp - now} without
 *     {@code iat}, may not exceed this (empty: not checked)
 */
public record TokenRules(List<String> allowedClients, Optional<Duration> maxLifetime) {
  public TokenRules {
    allowedClients = List.copyOf(allowedClients);
  }

  /** Neither check. */
  public static TokenRules none() {
    return new TokenRules(List.of(), Optional.empty());
  }
}
