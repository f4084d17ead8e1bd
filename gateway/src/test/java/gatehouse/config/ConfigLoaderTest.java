package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.parse;
import static gatehouse.config.TestConfigs.withRoutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.crypto.SignatureEngine;
import gatehouse.secret.Secret;
import gatehouse.testing.TestKeys;
import gatehouse.transport.NetworkTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Happy paths and defaults. */
class ConfigLoaderTest {

  @Test
  void minimalFileGetsEveryDocumentedDefault() throws ConfigException {
    GatehouseConfig c = parse(MINIMAL);
    assertEquals(new ListenerConfig("0.0.0.0", 8080), c.listen());
    assertEquals(new ListenerConfig("127.0.0.1", 9901), c.admin());
    assertEquals(new UpstreamConfig("orders", URI.create("http://127.0.0.1:9000"), Duration.ofSeconds(2),
        Duration.ofSeconds(30), 64), c.upstreams().get("orders"));
    assertEquals(new AuthConfig(List.of(), ApiKeyExtractionConfig.defaults(), TestConfigs.BASE_DIR), c.auth());
    assertEquals(Map.of("sub", "X-User-Id", "role", "X-User-Role", "email", "X-User-Email"), c.identity().claims());
    assertEquals(List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id"), c.identity().reservedHeaders());
    assertEquals(List.of(), c.forwarding().trustedProxies());
    assertEquals(new LimitsConfig(8192, 16384, 10L << 20, Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60), 64L << 10, 500,
        Duration.ofSeconds(20)), c.limits());
    assertEquals(Policy.Jwt.any(), c.defaultPolicy());
    assertEquals(SignatureEngine.Choice.AUTO, c.crypto());
    assertEquals(NetworkTransport.Choice.AUTO, c.transport());
    assertEquals(TestConfigs.BASE_DIR.resolve("gatehouse.yaml"), c.source());

    RouteConfig r = c.routes().get(0);
    assertEquals("routes[0]", r.id());
    assertEquals(4, r.line());
    assertEquals(Optional.of("/"), r.match().prefix());
    assertEquals(Set.of(), r.match().methods());
    assertEquals(Optional.empty(), r.match().host());
    assertEquals(Policy.Jwt.any(), r.policy(), "a route without policy gets default_policy");
    assertEquals(Optional.empty(), r.stripPrefix());
    assertEquals(Optional.empty(), r.addPrefix());
    assertEquals(Optional.empty(), r.timeout());
    assertEquals(10L << 20, r.maxBodyBytes());
    assertTrue(r.websocket());
  }

  @ParameterizedTest
  @CsvSource({"auto, AUTO", "jdk, JDK", "native, NATIVE"})
  void cryptoProviderIsReadAsWritten(String written, SignatureEngine.Choice expected) throws ConfigException {
    assertEquals(expected, parse("crypto: {provider: " + written + "}\n" + MINIMAL).crypto());
  }

  @ParameterizedTest
  @CsvSource({"auto, AUTO", "io_uring, IO_URING", "epoll, EPOLL", "nio, NIO"})
  void runtimeTransportIsReadAsWritten(String written, NetworkTransport.Choice expected) throws ConfigException {
    assertEquals(expected, parse("runtime: {transport: " + written + "}\n" + MINIMAL).transport());
  }

  @Test
  void maxConnectionsIsReadAsWrittenAndLeftToTheDescriptorLimitWhenAbsent() throws ConfigException {
    assertEquals(java.util.OptionalInt.of(500), parse("limits: {max_connections: 500}\n" + MINIMAL).limits().maxConnections());
    assertEquals(java.util.OptionalInt.empty(), parse(MINIMAL).limits().maxConnections());
    assertTrue(TestConfigs.problems(MINIMAL + "limits: {max_connections: 0}\n").get(0).contains("limits.max_connections"));
    assertEquals(100, parse(MINIMAL).limits().maxHeaderFields());
    assertEquals(java.util.OptionalLong.empty(), parse(MINIMAL).limits().bufferBodyTotal());
    assertEquals(java.util.OptionalLong.of(8L << 20), parse("limits: {buffer_body_total: 8MiB}\n" + MINIMAL).limits().bufferBodyTotal());
    assertEquals(40, parse("limits: {max_header_fields: 40}\n" + MINIMAL).limits().maxHeaderFields());
    assertTrue(TestConfigs.problems(MINIMAL + "limits: {max_header_fields: 0}\n").get(0).contains("limits.max_header_fields"));
  }

  @Test
  void everySectionIsReadAsWritten() throws ConfigException {
    GatehouseConfig c = parse("""
        listen: {host: "::", port: 0}
        admin: {host: localhost, port: 9999}
        upstreams:
          orders: {url: "http://orders.internal:8081/base/", connect_timeout: 500ms, timeout: 1m, max_connections: 8}
        auth:
          api_keys: {header: X-Gatehouse-Key, query_param: false}
        forwarding: {trusted_proxies: [10.0.0.0/8, "192.168.1.7/32", "::1/128", "fd00::/8"]}
        limits: {max_request_line: 4KiB, max_header_size: 32KB, max_body: 1GiB, idle_timeout: 2m, header_read_timeout: 5s,
                 body_timeout: 30s, buffer_body: 0, body_min_rate: 1KiB, body_min_rate_grace: 5s}
        default_policy: public
        routes:
          - id: v1
            match: {prefix: /api/v1/, methods: [get, Post], host: "*.Example.COM"}
            upstream: orders
            policy: {api_key: {scopes: [orders]}}
            strip_prefix: /api/v1
            add_prefix: /v2
            timeout: 90d
            max_body: 0
            websocket: false
          - {match: {regex: "^/reports/[0-9]+$"}, upstream: orders}
        """);
    assertEquals(new ListenerConfig("::", 0), c.listen());
    assertEquals(new ListenerConfig("localhost", 9999), c.admin());
    assertEquals(new UpstreamConfig("orders", URI.create("http://orders.internal:8081/base"), Duration.ofMillis(500),
        Duration.ofMinutes(1), 8), c.upstreams().get("orders"));
    assertEquals(new ApiKeyExtractionConfig("X-Gatehouse-Key", Optional.empty()), c.auth().apiKeys());
    assertEquals(List.of("10.0.0.0/8", "192.168.1.7/32", "::1/128", "fd00::/8"), c.forwarding().trustedProxies());
    assertEquals(new LimitsConfig(4096, 32000, 1L << 30, Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ofSeconds(30), 0, 1024,
        Duration.ofSeconds(5)), c.limits());
    assertEquals(new Policy.Public(), c.defaultPolicy());

    RouteConfig v1 = c.routes().get(0);
    assertEquals("v1", v1.id());
    assertEquals(Set.of("GET", "POST"), v1.match().methods());
    assertEquals(Optional.of("*.example.com"), v1.match().host());
    assertEquals(new Policy.ApiKey(Set.of("orders")), v1.policy());
    assertEquals(Optional.of("/api/v1"), v1.stripPrefix());
    assertEquals(Optional.of("/v2"), v1.addPrefix());
    assertEquals(Optional.of(Duration.ofDays(90)), v1.timeout());
    assertEquals(0, v1.maxBodyBytes());
    assertEquals(false, v1.websocket());

    RouteConfig reports = c.routes().get(1);
    assertTrue(reports.match().regex().orElseThrow().matcher("/reports/42").matches(), "regex compiled at load");
    assertEquals(new Policy.Public(), reports.policy(), "default_policy applies");
    assertEquals(1L << 30, reports.maxBodyBytes(), "limits.max_body is the routes' default");
  }

  static Stream<Arguments> policies() {
    Policy.Jwt anyJwt = Policy.Jwt.any();
    Policy.ApiKey anyKey = new Policy.ApiKey(Set.of());
    return Stream.of(
        Arguments.of("public", new Policy.Public()),
        Arguments.of("jwt", anyJwt),
        Arguments.of("api_key", anyKey),
        Arguments.of("any", new Policy.Any(anyJwt, anyKey)),
        Arguments.of("{jwt: {}}", anyJwt),
        Arguments.of("{jwt: {providers: [main], roles: [admin, ops], scopes: [write]}}",
            new Policy.Jwt(Set.of("main"), Set.of("admin", "ops"), Set.of("write"))),
        Arguments.of("{api_key: {scopes: [a, b]}}", new Policy.ApiKey(Set.of("a", "b"))),
        Arguments.of("{any: {}}", new Policy.Any(anyJwt, anyKey)),
        Arguments.of("{any: {jwt: {roles: [admin]}, api_key: {scopes: [s]}}}",
            new Policy.Any(new Policy.Jwt(Set.of(), Set.of("admin"), Set.of()), new Policy.ApiKey(Set.of("s")))),
        Arguments.of("{any: {api_key: {scopes: [s]}}}", new Policy.Any(anyJwt, new Policy.ApiKey(Set.of("s")))));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void everyPolicySpellingBuildsItsPolicy(String yaml, Policy expected) throws ConfigException {
    GatehouseConfig c = parse("""
        upstreams: {orders: {url: "http://127.0.0.1:9000"}}
        auth:
          jwt: [{name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k"}]
        default_policy: %s
        routes: [{match: {prefix: /}, upstream: orders, policy: %s}]
        """.formatted(yaml, yaml));
    assertEquals(expected, c.defaultPolicy());
    assertEquals(expected, c.routes().get(0).policy());
  }

  @Test
  void jwtPolicyWithNoProvidersConfiguredIsAllowed() throws ConfigException {
    GatehouseConfig c = parse(withRoutes("  - {match: {prefix: /}, upstream: orders, policy: {jwt: {roles: [admin]}}}\n"));
    assertEquals(List.of(), c.auth().jwt());
    assertEquals(new Policy.Jwt(Set.of(), Set.of("admin"), Set.of()), c.routes().get(0).policy());
  }

  @Test
  void jwtProviderDefaults() throws ConfigException {
    JwtProviderConfig p = parse(MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k"}
        """).auth().jwt().get(0);
    assertEquals(new JwtProviderConfig("main", "https://a.example.com", List.of(),
        new KeySourceConfig.JwksUri(URI.create("https://a.example.com/k")), Set.of(), Duration.ofSeconds(60),
        List.of(), Map.of(), List.of("role"), Optional.empty(), 8192, JwtProviderConfig.RemoteKeys.defaults(), true, TokenRules.none()), p);
  }

  @Test
  void jwtProviderKeysAreReadAsWritten() throws ConfigException {
    GatehouseConfig c = parse(MINIMAL + """
        auth:
          jwt:
            - name: main
              issuer: https://a.example.com
              audiences: [api, admin]
              discovery: true
              algorithms: [RS256, EdDSA]
              clock_skew: 5s
              required_claims: [sub, tenant]
              claims: {sub: X-User-Id, tenant: X-Tenant}
              roles_claim: [realm_access.roles, 'resource_access["my.app"].roles', '["https://example.com/roles"]']
              type: at+jwt
              max_token_size: 16KiB
              cache: false
              allowed_clients: [web, cli]
              max_token_lifetime: 1h
        """);
    JwtProviderConfig p = c.auth().jwt().get(0);
    assertEquals(new JwtProviderConfig("main", "https://a.example.com", List.of("api", "admin"),
        new KeySourceConfig.Discovery(), Set.of("RS256", "EdDSA"), Duration.ofSeconds(5), List.of("sub", "tenant"),
        Map.of("sub", "X-User-Id", "tenant", "X-Tenant"),
        List.of("realm_access.roles", "resource_access[\"my.app\"].roles", "[\"https://example.com/roles\"]"), Optional.of("at+jwt"), 16384,
        JwtProviderConfig.RemoteKeys.defaults(), false, new TokenRules(List.of("web", "cli"), Optional.of(Duration.ofHours(1)))), p);
    assertTrue(c.identity().reservedHeaders().contains("X-Tenant"), "a provider's claim headers are reserved");
  }

  @Test
  void keyFilesResolveAgainstTheConfigDirectory(@TempDir Path dir) throws IOException, ConfigException {
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    Files.writeString(dir.resolve("issuer.pem"), TestKeys.ec256().publicPem());
    GatehouseConfig c = TestConfigs.parse(MINIMAL + """
        auth:
          jwt:
            - {name: a, issuer: "https://a.example.com", jwks_file: keys/jwks.json}
            - {name: b, issuer: "https://b.example.com", public_key_pem: issuer.pem}
        """, dir);
    assertEquals(new KeySourceConfig.JwksFile(dir.resolve("keys/jwks.json")), c.auth().jwt().get(0).keys());
    assertEquals(new KeySourceConfig.PublicKeyPem(dir.resolve("issuer.pem")), c.auth().jwt().get(1).keys());
  }

  @Test
  void hmacSecretComesFromTheEnvironmentAsASecret() throws ConfigException {
    String value = "0123456789abcdef0123456789abcdef";
    GatehouseConfig c = parse(MINIMAL + """
        auth:
          jwt: [{name: main, issuer: "https://a.example.com", secret: "${JWT_SECRET}", algorithms: [HS256]}]
        """, Map.of("JWT_SECRET", value));
    KeySourceConfig.HmacSecret key = assertInstanceOf(KeySourceConfig.HmacSecret.class, c.auth().jwt().get(0).keys());
    assertEquals(new Secret(value), key.secret());
    assertTrue(!c.toString().contains(value), "the secret never appears in the config's text");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080/jwks", "http://127.9.9.9/jwks", "http://[::1]:9000/jwks",
      "http://localhost/jwks", "https://auth.example.com/jwks"})
  void jwksUriMayBePlainHttpOnlyToLoopback(String uri) throws ConfigException {
    GatehouseConfig c = parse(MINIMAL + "auth: {jwt: [{name: m, issuer: i, jwks_uri: \"" + uri + "\"}]}\n");
    assertEquals(new KeySourceConfig.JwksUri(URI.create(uri)), c.auth().jwt().get(0).keys());
  }

  @Test
  void configuredClaimsReplaceTheDefaultsAndReservedHeadersAreAddedToThem() throws ConfigException {
    IdentityConfig identity = parse(MINIMAL + """
        identity:
          claims: {sub: X-Subject, groups: X-User-Groups}
          reserved_headers: [X-Internal-*, X-Owner-Id]
        """).identity();
    assertEquals(List.of("sub", "groups"), List.copyOf(identity.claims().keySet()));
    assertEquals(Map.of("sub", "X-Subject", "groups", "X-User-Groups"), identity.claims());
    assertEquals(List.of("X-User-*", "X-Owner-Id", "X-Scopes", "X-Key-Id", "X-Internal-*", "X-Subject"),
        identity.reservedHeaders(), "defaults kept, configured added, claim headers reserved, no repeats");
  }

  @Test
  void maxHeaderValueIsASizeWithADefaultAndBounds() throws ConfigException {
    assertEquals(4096, parse(MINIMAL).identity().maxHeaderValue());
    assertEquals(16384, parse(MINIMAL + "identity: {max_header_value: 16KiB}\n").identity().maxHeaderValue());
    assertEquals(List.of("gatehouse.yaml:5: identity.max_header_value: must be between 64 and 65536 bytes, got '63'",
        "gatehouse.yaml:6: identity.max_header_value: must be between 64 and 65536 bytes, got '1MiB'"),
        List.of(TestConfigs.problems(MINIMAL + "identity: {max_header_value: 63}\n").get(0),
            TestConfigs.problems(MINIMAL + "\nidentity: {max_header_value: 1MiB}\n").get(0)));
  }

  @Test
  void environmentIsSubstitutedInValuesWithDefaults() throws ConfigException {
    GatehouseConfig c = parse("""
        listen: {port: "${PORT:-8081}"}
        upstreams:
          orders: {url: "http://${ORDERS_HOST}:9000", timeout: "${TIMEOUT:-5s}"}
        routes:
          - {match: {prefix: /}, upstream: orders}
        """, Map.of("ORDERS_HOST", "orders.internal", "TIMEOUT", ""));
    assertEquals(8081, c.listen().port());
    assertEquals(URI.create("http://orders.internal:9000"), c.upstreams().get("orders").url());
    assertEquals(Duration.ofSeconds(5), c.upstreams().get("orders").timeout(), ":- also applies to an empty variable");
  }

  @Test
  void substitutedTextIsNeverParsedAsYaml() {
    List<String> problems = TestConfigs.problems(withRoutes("  - {match: {prefix: /, methods: \"${M}\"}, upstream: orders}\n"),
        Map.of("M", "[GET, POST]"));
    assertEquals(List.of("gatehouse.yaml:4: routes[0].match.methods: expected a list, got a string"), problems);
  }

  @Test
  void keysAreNeverSubstituted() {
    assertEquals(
        List.of("gatehouse.yaml:5: ${KEY}: unknown key '${KEY}' (expected one of: listen, admin, upstreams, auth,"
            + " identity, forwarding, limits, default_policy, routes, sign, crypto, runtime, access_log, rate_limits, failed_auth_limit, redis, tracing, shutdown)"),
        TestConfigs.problems(MINIMAL + "${KEY}: {port: 1}\n", Map.of("KEY", "listen")));
  }

  @Test
  void loadReadsTheFileAndResolvesPathsAgainstItsDirectory(@TempDir Path dir) throws IOException, ConfigException {
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, MINIMAL + "auth: {jwt: [{name: m, issuer: i, jwks_file: jwks.json}]}\n");
    GatehouseConfig c = ConfigLoader.load(file);
    assertEquals(file.toAbsolutePath(), c.source());
    assertEquals(new KeySourceConfig.JwksFile(dir.resolve("jwks.json")), c.auth().jwt().get(0).keys());
  }

  @Test
  void loadOfAMissingFileNamesIt(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(file + ": file not found", e.getMessage());
  }

  @Test
  void loadOfAFileThatIsNotUtf8SaysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(file + ": the file is not valid UTF-8", e.getMessage());
  }

  @Test
  void aliasesAreFollowed() throws ConfigException {
    GatehouseConfig c = parse("""
        upstreams:
          orders: &pool {url: "http://127.0.0.1:9000", timeout: 3s}
        routes:
          - {match: {prefix: /a/}, upstream: orders, policy: &admins {jwt: {roles: [admin]}}}
          - {match: {prefix: /b/}, upstream: orders, policy: *admins}
        """);
    assertEquals(c.routes().get(0).policy(), c.routes().get(1).policy());
  }

  @Test
  void remoteKeySetBoundsAreRead() throws ConfigException {
    GatehouseConfig c = TestConfigs.parse(MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", jwks_min_refresh: 5s, jwks_stale_max: 1h}
        """);
    JwtProviderConfig.RemoteKeys remote = c.auth().jwt().get(0).remote();
    assertEquals(java.time.Duration.ofSeconds(5), remote.minRefresh());
    assertEquals(java.time.Duration.ofHours(1), remote.staleMax());
    assertEquals(Optional.empty(), remote.ca());
  }
}
