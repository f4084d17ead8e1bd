package gatehouse.config;

import gatehouse.secret.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of {@code auth.introspection}: an OAuth 2.0 authorization server asked whether a
 * bearer token is active (RFC 7662).
 *
 * @param name referred to by {@code policy: {jwt: {providers: [name]}}}; unique across {@code
 *     auth.jwt} and {@code auth.introspection}
 * @param endpoint the introspection endpoint: https, or http to a loopback host
 * @param clientId the gateway's client id at the authorization server
 * @param clientSecret its secret; never shown in messages or logs
 * @param authMethod how the client authenticates (RFC 6749 section 2.3.1)
 * @param cacheTtl upper bound for caching an active answer; never beyond the token's {@code exp};
 *     zero: active answers are not cached
 * @param negativeCacheTtl how long an inactive answer is cached; zero: not cached
 * @param cacheSize most answers held
 * @param timeout time allowed for the whole introspection call
 * @param audiences the answer's {@code aud} must contain one of these (empty: not checked)
 * @param issuer the answer's {@code iss} must equal this; JWT-shaped tokens with this {@code iss}
 *     are sent to this provider (empty: not checked, not routed by issuer)
 * @param claims member path → header, overriding {@code identity.claims}; empty: use those
 * @param rolesClaims member paths the roles are read from, the union of what each holds; default
 *     {@code [role]}
 * @param ca extra trusted CA certificates (PEM), added to the system trust store
 * @param breakerFailures consecutive failed calls that open the circuit breaker
 * @param breakerCooldown how long an open breaker answers 503 without calling
 * @param clockSkew leeway for the answer's {@code nbf} and {@code iat}; default 60s
 * @param rules {@code allowed_clients} and {@code max_token_lifetime}
 * @param staleIfError how long after {@code cacheTtl} a cached active answer may still be served
 *     while the server is failing (breaker open, or a call that fails for the server's fault);
 *     never beyond the token's {@code exp}; zero (the default): not at all
 */
public record IntrospectionConfig(
    String name,
    URI endpoint,
    String clientId,
    Secret clientSecret,
    AuthMethod authMethod,
    Duration cacheTtl,
    Duration negativeCacheTtl,
    int cacheSize,
    Duration timeout,
    List<String> audiences,
    Optional<String> issuer,
    Map<String, String> claims,
    List<String> rolesClaims,
    Optional<Path> ca,
    int breakerFailures,
    Duration breakerCooldown,
    Duration clockSkew,
    TokenRules rules,
    Duration staleIfError) {

  public IntrospectionConfig {
    audiences = List.copyOf(audiences);
    rolesClaims = List.copyOf(rolesClaims);
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }

  /** RFC 6749 section 2.3.1: HTTP Basic (the default), or the credentials in the form body. */
  public enum AuthMethod {
    CLIENT_SECRET_BASIC("client_secret_basic"),
    CLIENT_SECRET_POST("client_secret_post");

    private final String configName;

    AuthMethod(String configName) {
      this.configName = configName;
    }

    /** As written in config. */
    public String configName() {
      return configName;
    }
  }

  /** Defaults as the loader fills them, for tests and the demo: basic auth, 30s/5s cache, 2s timeout, 60s skew. */
  public static IntrospectionConfig of(String name, URI endpoint, String clientId, Secret clientSecret) {
    return new IntrospectionConfig(name, endpoint, clientId, clientSecret, AuthMethod.CLIENT_SECRET_BASIC,
        Duration.ofSeconds(30), Duration.ofSeconds(5), 10_000, Duration.ofSeconds(2), List.of(), Optional.empty(),
        Map.of(), List.of("role"), Optional.empty(), 5, Duration.ofSeconds(30), Duration.ofSeconds(60), TokenRules.none(),
        Duration.ZERO);
  }
}
