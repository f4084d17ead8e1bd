package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.introspection}: what loads, and the exact text of each error. */
class IntrospectionConfigTest {
  private static final Map<String, String> ENV = Map.of("INTROSPECTION_SECRET", "from-the-environment");

  private static String auth(String entries) {
    return MINIMAL + "auth:\n  introspection:\n" + entries;
  }

  @Test
  void aFullEntryLoadsWithEveryKey() throws ConfigException {
    GatehouseConfig c = TestConfigs.parse(auth("""
            - name: corp
              endpoint: "https://auth.example.com/oauth/introspect"
              client_id: gateway
              client_secret: ${INTROSPECTION_SECRET}
              auth_method: client_secret_post
              cache_ttl: 20s
              negative_cache_ttl: 2s
              cache_size: 500
              timeout: 1500ms
              audiences: [api]
              issuer: "https://auth.example.com/"
              claims: {sub: X-User-Id, scope: X-Scopes, client_id: X-Client-Id}
              roles_claim: [groups, realm_access.roles]
              breaker_failures: 3
              breaker_cooldown: 10s
              clock_skew: 5s
              allowed_clients: [web]
              max_token_lifetime: 2h
              stale_if_error: 5m
        """), ENV);
    IntrospectionConfig p = c.auth().introspection().get(0);
    assertEquals("corp", p.name());
    assertEquals(URI.create("https://auth.example.com/oauth/introspect"), p.endpoint());
    assertEquals("gateway", p.clientId());
    assertEquals("from-the-environment", p.clientSecret().reveal());
    assertEquals(IntrospectionConfig.AuthMethod.CLIENT_SECRET_POST, p.authMethod());
    assertEquals(Duration.ofSeconds(20), p.cacheTtl());
    assertEquals(Duration.ofSeconds(2), p.negativeCacheTtl());
    assertEquals(500, p.cacheSize());
    assertEquals(Duration.ofMillis(1500), p.timeout());
    assertEquals(List.of("api"), p.audiences());
    assertEquals(Optional.of("https://auth.example.com/"), p.issuer());
    assertEquals(Map.of("sub", "X-User-Id", "scope", "X-Scopes", "client_id", "X-Client-Id"), p.claims());
    assertEquals(List.of("groups", "realm_access.roles"), p.rolesClaims());
    assertEquals(Duration.ofSeconds(5), p.clockSkew());
    assertEquals(new TokenRules(List.of("web"), Optional.of(Duration.ofHours(2))), p.rules());
    assertEquals(3, p.breakerFailures());
    assertEquals(Duration.ofSeconds(10), p.breakerCooldown());
    assertEquals(Duration.ofMinutes(5), p.staleIfError());
    assertTrue(c.identity().reservedHeaders().contains("X-Client-Id"), "claim headers are reserved");
  }

  @Test
  void theDefaultsAreBasicAuthThirtySecondsFiveSecondsAndTwoSeconds() throws ConfigException {
    IntrospectionConfig p = TestConfigs.parse(auth("""
            - {name: corp, endpoint: "http://127.0.0.1:9000/introspect", client_id: gw, client_secret: s}
        """)).auth().introspection().get(0);
    assertEquals(IntrospectionConfig.AuthMethod.CLIENT_SECRET_BASIC, p.authMethod());
    assertEquals(Duration.ofSeconds(30), p.cacheTtl());
    assertEquals(Duration.ofSeconds(5), p.negativeCacheTtl());
    assertEquals(10_000, p.cacheSize());
    assertEquals(Duration.ofSeconds(2), p.timeout());
    assertEquals(Optional.empty(), p.issuer());
    assertEquals(List.of("role"), p.rolesClaims());
    assertEquals(Duration.ofSeconds(60), p.clockSkew());
    assertEquals(TokenRules.none(), p.rules());
    assertEquals(5, p.breakerFailures());
    assertEquals(Duration.ofSeconds(30), p.breakerCooldown());
    assertEquals(Duration.ZERO, p.staleIfError(), "stale answers are opt-in");
  }

  @Test
  void staleIfErrorIsBoundedByAnHour() {
    assertEquals(List.of("gatehouse.yaml:8: auth.introspection[1].stale_if_error: must be at most 1h",
            "gatehouse.yaml:9: auth.introspection[2].stale_if_error: invalid duration 'soon' (expected "
                + gatehouse.config.Syntax.DURATION_FORMS + ")"),
        problems(auth("""
            - {name: a, endpoint: "https://as/i", client_id: gw, client_secret: s, stale_if_error: 1h}
            - {name: b, endpoint: "https://bs/i", client_id: gw, client_secret: s, issuer: b, stale_if_error: 61m}
            - {name: c, endpoint: "https://cs/i", client_id: gw, client_secret: s, issuer: c, stale_if_error: soon}
        """)));
  }

  @Test
  void requiredKeysAreNamed() {
    assertEquals(List.of(
            "gatehouse.yaml:7: auth.introspection[0].name: is required",
            "gatehouse.yaml:7: auth.introspection[0].endpoint: is required",
            "gatehouse.yaml:7: auth.introspection[0].client_id: is required",
            "gatehouse.yaml:7: auth.introspection[0].client_secret: is required"),
        problems(auth("    - {cache_ttl: 1s}\n")));
  }

  @Test
  void plainHttpIsOnlyForLoopbackAndUserInfoIsRefused() {
    assertEquals(List.of(
            "gatehouse.yaml:7: auth.introspection[0].endpoint: 'http://auth.example.com/i' must use https: plain http is allowed"
                + " only to a loopback host (127.0.0.0/8, ::1, localhost), because tokens and the client secret would cross"
                + " the network in the clear",
            "gatehouse.yaml:8: auth.introspection[1].endpoint: must not contain user info (credentials in a URL end up in logs)"),
        problems(auth("""
                - {name: a, endpoint: "http://auth.example.com/i", client_id: gw, client_secret: s}
                - {name: b, issuer: x, endpoint: "https://u:p@auth.example.com/i", client_id: gw, client_secret: s}
            """)));
  }

  @Test
  void anUnknownAuthMethodListsTheTwoKnownOnes() {
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].auth_method: unknown auth_method 'private_key_jwt'"
            + " (expected client_secret_basic or client_secret_post)"),
        problems(auth("    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: s, auth_method: private_key_jwt}\n")));
  }

  @Test
  void anUnknownKeyGetsADidYouMean() {
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].cache_tll: unknown key 'cache_tll' (did you mean 'cache_ttl'?)"),
        problems(auth("    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: s, cache_tll: 1s}\n")));
  }

  @Test
  void aNameUsedByAJwtProviderIsRefusedBecausePoliciesNameBoth() {
    String yaml = MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k"}
          introspection:
            - {name: main, endpoint: "https://as/i", client_id: gw, client_secret: s}
        """;
    assertEquals(List.of("gatehouse.yaml:9: auth.introspection[0].name: provider name 'main' is already used in auth.jwt"
        + " (policies name providers of both kinds)"), problems(yaml));
  }

  @Test
  void anIssuerHasOneAuthority() {
    String yaml = MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k"}
          introspection:
            - {name: corp, issuer: "https://a.example.com", endpoint: "https://as/i", client_id: gw, client_secret: s}
            - {name: two, issuer: "https://b.example.com", endpoint: "https://as/i", client_id: gw, client_secret: s}
            - {name: three, issuer: "https://b.example.com", endpoint: "https://as/i", client_id: gw, client_secret: s}
        """;
    assertEquals(List.of(
        "gatehouse.yaml:9: auth.introspection[0].issuer: issuer 'https://a.example.com' is already trusted by JWT provider"
            + " 'main'; a token's iss must name one authority",
        "gatehouse.yaml:11: auth.introspection[2].issuer: issuer 'https://b.example.com' is already trusted by"
            + " auth.introspection[1] (line 10); a token's iss must name one authority"), problems(yaml));
  }

  @Test
  void everyProviderButTheFirstNeedsAnIssuerToBeReachable() {
    assertEquals(List.of("gatehouse.yaml:8: auth.introspection[1].issuer: is required on every provider but the first:"
            + " opaque tokens go to the first (auth.introspection[0]), so this one is reached only by JWTs whose iss names it"),
        problems(auth("""
                - {name: a, endpoint: "https://as/i", client_id: gw, client_secret: s}
                - {name: b, endpoint: "https://as2/i", client_id: gw, client_secret: s}
            """)));
  }

  @Test
  void theClientSecretIsNeverQuoted() {
    List<String> p = problems(auth("    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: {x: y}}\n"));
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].client_secret: expected a string, got a mapping"), p);
    List<String> empty = problems(auth("    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: \"${S:-}\"}\n"));
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].client_secret: must not be empty"), empty);
  }

  @Test
  void aMissingCaFileAndAFileWithoutCertificatesAreRefused(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    Files.writeString(dir.resolve("empty.pem"), "");
    String yaml = auth("""
            - {name: a, endpoint: "https://as/i", client_id: gw, client_secret: s, ca: missing.pem}
            - {name: b, issuer: x, endpoint: "https://as/i", client_id: gw, client_secret: s, ca: garbage.pem}
            - {name: c, issuer: y, endpoint: "https://as/i", client_id: gw, client_secret: s, ca: empty.pem}
        """);
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> TestConfigs.parse(yaml, dir));
    assertEquals(List.of(
            "gatehouse.yaml:7: auth.introspection[0].ca: file not found: " + dir.resolve("missing.pem"),
            "gatehouse.yaml:8: auth.introspection[1].ca: is not a PEM certificate file: " + dir.resolve("garbage.pem"),
            "gatehouse.yaml:9: auth.introspection[2].ca: holds no PEM certificate: " + dir.resolve("empty.pem")),
        e.problems().stream().map(ConfigException.Problem::toString).toList());
  }

  @Test
  void policiesMayNameIntrospectionProviders() throws ConfigException {
    GatehouseConfig c = TestConfigs.parse("""
        upstreams:
          orders: {url: "http://127.0.0.1:9000"}
        auth:
          introspection:
            - {name: corp, endpoint: "https://as/i", client_id: gw, client_secret: s}
        routes:
          - {match: {prefix: /}, upstream: orders, policy: {jwt: {providers: [corp], scopes: [orders:read]}}}
        """);
    assertEquals(new Policy.Jwt(Set.of("corp"), Set.of(), Set.of("orders:read")), c.routes().get(0).policy());
  }

  @Test
  void aClaimHeaderTheGatewayNeedsIsRefused() {
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].claims.sub: 'Authorization' cannot carry identity: the gateway"
            + " uses it for framing, routing, forwarding or credentials"),
        problems(auth("    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: s, claims: {sub: Authorization}}\n")));
  }
}
