package gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code auth.jwt}: a token issuer the gateway trusts.
 *
 * @param name referred to by {@code policy: {jwt: {providers: [name]}}}
 * @param issuer exact match with the {@code iss} claim
 * @param audiences {@code aud} must contain one of these (empty: {@code aud} not checked)
 * @param keys where the verification keys come from
 * @param algorithms allow-list; empty means "the algorithms that fit the key type"
 * @param clockSkew leeway for {@code exp}, {@code nbf}, {@code iat}; default 60s
 * @param requiredClaims claims that must be present; {@code exp} is always required
 * @param claims claim path → header, overriding {@code identity.claims}; empty: use those
 * @param rolesClaim claim path the roles are read from, default {@code role}
 * @param type required {@code typ} header, e.g. {@code at+jwt}; empty: not checked
 * @param maxTokenBytes longer tokens are refused before parsing; default 8192
 */
public record JwtProviderConfig(
    String name,
    String issuer,
    List<String> audiences,
    KeySourceConfig keys,
    Set<String> algorithms,
    Duration clockSkew,
    List<String> requiredClaims,
    Map<String, String> claims,
    String rolesClaim,
    Optional<String> type,
    int maxTokenBytes) {

  public JwtProviderConfig {
    audiences = List.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    requiredClaims = List.copyOf(requiredClaims);
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }
}
