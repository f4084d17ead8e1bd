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
 * @param rolesClaims claim paths the roles are read from, the union of what each holds; default
 *     {@code [role]}
 * @param type required {@code typ} header, e.g. {@code at+jwt}; empty: not checked
 * @param maxTokenBytes longer tokens are refused before parsing; default 8192
 * @param remote refresh bounds and trust for {@code jwks_uri} and {@code discovery} key sources
 * @param cache {@code cache}: whether tokens this provider verified are kept in the verified-token
 *     cache (default true); false checks the signature of every request
 * @param rules {@code allowed_clients} and {@code max_token_lifetime}
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
    List<String> rolesClaims,
    Optional<String> type,
    int maxTokenBytes,
    RemoteKeys remote,
    boolean cache,
    TokenRules rules) {

  public JwtProviderConfig {
    audiences = List.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    requiredClaims = List.copyOf(requiredClaims);
    rolesClaims = List.copyOf(rolesClaims);
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }

  /**
   * How a remote key set is kept.
   *
   * @param minRefresh {@code jwks_min_refresh}: an unknown {@code kid} starts at most one fetch per
   *     this interval (default 30s)
   * @param staleMax {@code jwks_stale_max}: how long the last good key set keeps serving while
   *     refreshes fail (default 24h)
   * @param ca {@code ca}: a PEM file of CA certificates trusted for the key endpoint, besides the
   *     system trust store
   */
  public record RemoteKeys(java.time.Duration minRefresh, java.time.Duration staleMax, Optional<java.nio.file.Path> ca) {
    public static RemoteKeys defaults() {
      return new RemoteKeys(java.time.Duration.ofSeconds(30), java.time.Duration.ofHours(24), Optional.empty());
    }
  }
}
