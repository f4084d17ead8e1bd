package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.problems;
import static gatehouse.config.TestConfigs.withRoutes;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each main error, with the exact text a user reads. */
class ConfigErrorsTest {

  @Test
  void unknownPolicyNamesFileLineAndKey() {
    String yaml = """
        listen: {host: 0.0.0.0, port: 8080}
        admin:  {host: 127.0.0.1, port: 9901}
        upstreams:
          orders: {url: "http://127.0.0.1:9000", connect_timeout: 2s, timeout: 30s}
        auth:
          jwt:
            - {name: main, issuer: "https://auth.example.com", audiences: [api], jwks_uri: "https://auth.example.com/jwks"}
        identity:
          claims: {sub: X-User-Id, role: X-User-Role, email: X-User-Email}
        default_policy: jwt
        routes:
          - {match: {path: /health}, upstream: orders, policy: public}
          - {match: {prefix: /api/public/}, upstream: orders, policy: public}
          - {match: {prefix: /api/admin/}, upstream: orders, policy: jtw}
        """;
    assertEquals(
        List.of("gatehouse.yaml:14: routes[2].policy: unknown policy 'jtw' (expected public, jwt, api_key, mtls, any)"),
        problems(yaml));
  }

  @ParameterizedTest
  @ValueSource(strings = {"api-key", "apikey", "API_KEY", "Public"})
  void policyNamesAreExactSoApiKeySpellingsAreUnknown(String name) {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].policy: unknown policy '" + name + "' (expected public, jwt, api_key, mtls, any)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: orders, policy: " + name + "}\n")));
  }

  @Test
  void unknownPolicyKeyInMappingFormIsNamedTheSameWay() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].policy: unknown policy 'api-key' (expected public, jwt, api_key, mtls, any)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: orders, policy: {api-key: {scopes: [a]}}}\n")));
  }

  @Test
  void runtimeTransportMustBeOneOfFour() {
    assertEquals(List.of("gatehouse.yaml:1: runtime.transport: expected auto, io_uring, epoll or nio, got 'iouring'"),
        problems("runtime: {transport: iouring}\n" + MINIMAL));
    assertEquals(List.of("gatehouse.yaml:1: runtime.transprt: unknown key 'transprt' (did you mean 'transport'?)"),
        problems("runtime: {transprt: epoll}\n" + MINIMAL));
  }

  @Test
  void cryptoProviderMustBeOneOfThree() {
    assertEquals(List.of("gatehouse.yaml:1: crypto.provider: expected auto, jdk or native, got 'openssl'"),
        problems("crypto: {provider: openssl}\n" + MINIMAL));
    assertEquals(List.of("gatehouse.yaml:1: crypto.provder: unknown key 'provder' (did you mean 'provider'?)"),
        problems("crypto: {provder: jdk}\n" + MINIMAL));
  }

  @Test
  void unknownKeyIsAnErrorWithDidYouMean() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.pth: unknown key 'pth' (did you mean 'path'?)",
            "gatehouse.yaml:4: routes[0].match: needs one of path, prefix or regex"),
        problems(withRoutes("  - {match: {pth: /x}, upstream: orders}\n")));
  }

  @Test
  void unknownKeyWithNothingCloseListsTheKnownKeys() {
    assertEquals(
        List.of("gatehouse.yaml:6: listen.bind: unknown key 'bind' (expected one of: host, port, h2c, tls)"),
        problems(MINIMAL + "listen:\n  bind: 1.2.3.4\n"));
  }

  @Test
  void h2cIsAnOptionOfTheGatewayListenerOnly() {
    assertEquals(
        List.of("gatehouse.yaml:6: admin.h2c: unknown key 'h2c' (expected one of: host, port)"),
        problems(MINIMAL + "admin:\n  h2c: true\n"));
  }

  @Test
  void unknownTopLevelKeyIsAnError() {
    assertEquals(
        List.of("gatehouse.yaml:5: upstream: unknown key 'upstream' (did you mean 'upstreams'?)"),
        problems(MINIMAL + "upstream: {}\n"));
  }

  @Test
  void duplicateKeyIsAnErrorNamingTheFirst() {
    assertEquals(
        List.of("gatehouse.yaml:7: listen.port: duplicate key 'port' (first at line 6)"),
        problems(MINIMAL + """
            listen:
              port: 8080
              port: 8081
            """));
  }

  @Test
  void duplicateUpstreamNameIsADuplicateKey() {
    assertEquals(
        List.of("gatehouse.yaml:3: upstreams.orders: duplicate key 'orders' (first at line 2)"),
        problems("""
            upstreams:
              orders: {url: "http://127.0.0.1:9000"}
              orders: {url: "http://127.0.0.1:9001"}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void missingUpstreamIsNamedWithAHint() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].upstream: unknown upstream 'order' (did you mean 'orders'?)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: order}\n")));
  }

  @Test
  void missingUpstreamWithNothingCloseListsTheDefinedOnes() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].upstream: unknown upstream 'billing' (defined: orders)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: billing}\n")));
  }

  @Test
  void queueAndConcurrencyLimitsAreBoundedAndNamed() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.max_pending: must be between 0 and 1000000, got '-1'",
            "gatehouse.yaml:4: routes[0].max_concurrent: must be between 1 and 1000000, got '0'"),
        problems("""
            upstreams:
              orders: {url: "http://127.0.0.1:9000", max_pending: -1}
            routes:
              - {match: {prefix: /}, upstream: orders, max_concurrent: 0}
            """));
  }

  @Test
  void queueAndConcurrencyLimitsAreReadWithTheirDefaults() throws ConfigException {
    GatehouseConfig c = TestConfigs.parse("""
        upstreams:
          orders: {url: "http://127.0.0.1:9000", max_connections: 8}
          billing: {url: "http://127.0.0.1:9001", max_pending: 0}
        routes:
          - {match: {prefix: /reports/}, upstream: orders, max_concurrent: 3}
          - {match: {prefix: /}, upstream: billing}
        """);
    assertEquals(16, c.upstreams().get("orders").maxPending());
    assertEquals(0, c.upstreams().get("billing").maxPending());
    assertEquals(Optional.of(3), c.routes().get(0).maxConcurrent());
    assertEquals(Optional.empty(), c.routes().get(1).maxConcurrent());
  }

  @Test
  void badDurationShowsTheValueAndTheAcceptedForms() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.timeout: invalid duration '30' (expected a whole number"
            + " followed by ms, s, m, h or d, e.g. 500ms, 30s, 24h)"),
        problems("""
            upstreams:
              orders: {url: "http://127.0.0.1:9000", timeout: 30}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void badSizeShowsTheValueAndTheAcceptedForms() {
    assertEquals(
        List.of("gatehouse.yaml:5: limits.max_body: invalid size '10mb' (expected bytes, or a whole number"
            + " followed by KiB, MiB, GiB, KB, MB or GB, e.g. 8KiB, 10MiB)"),
        problems(MINIMAL + "limits: {max_body: 10mb}\n"));
  }

  @Test
  void unsetEnvironmentVariableNamesTheKey() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.url: environment variable ORDERS_URL is not set"),
        problems("""
            upstreams:
              orders: {url: "${ORDERS_URL}"}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void valuesFromTheEnvironmentAreShownAsWrittenNeverExpanded() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.timeout: invalid duration '${TIMEOUT}' (expected a whole"
            + " number followed by ms, s, m, h or d, e.g. 500ms, 30s, 24h)"),
        problems("""
            upstreams:
              orders: {url: "http://127.0.0.1:9000", timeout: "${TIMEOUT}"}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """, Map.of("TIMEOUT", "hunter2-is-not-a-duration")));
  }

  @Test
  void twoKeySourcesAreRefused() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0]: has more than one key source (jwks_uri, secret); give exactly one"
            + " of jwks_uri, discovery, jwks_file, public_key_pem, secret"),
        problems(MINIMAL + """
            auth:
              jwt:
                - name: main
                  issuer: https://auth.example.com
                  jwks_uri: https://auth.example.com/jwks
                  secret: ${JWT_SECRET}
            """, Map.of("JWT_SECRET", "0123456789abcdef0123456789abcdef")));
  }

  @Test
  void providerWithoutKeySourceIsRefused() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0]: needs a key source: one of jwks_uri, discovery, jwks_file,"
            + " public_key_pem, secret"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://auth.example.com"}
            """));
  }

  @Test
  void anUpstreamUrlIsHttpOrHttps() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.url: 'ftp://orders.internal' must be an http:// or https:// URL"),
        problems("""
            upstreams:
              orders: {url: "ftp://orders.internal"}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9000/?a=b", "http://127.0.0.1:9000/#top"})
  void upstreamUrlWithQueryOrFragmentIsRefused(String url) {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.url: '" + url + "' must not have a query or fragment"),
        problems("upstreams:\n  orders: {url: \"" + url + "\"}\nroutes:\n  - {match: {prefix: /}, upstream: orders}\n"));
  }

  @Test
  void upstreamUrlWithUserInfoIsRefusedWithoutEchoingIt() {
    assertEquals(
        List.of("gatehouse.yaml:2: upstreams.orders.url: must not contain user info (credentials in a URL end up in logs)"),
        problems("""
            upstreams:
              orders: {url: "http://admin:s3cret@127.0.0.1:9000"}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void plainHttpJwksUriIsRefusedUnlessLoopbackAndTheReasonIsGiven() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].jwks_uri: 'http://auth.example.com/jwks' must use https: plain"
            + " http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), because keys fetched in the"
            + " clear could be replaced in transit"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://auth.example.com", jwks_uri: "http://auth.example.com/jwks"}
            """));
  }

  @Test
  void remoteKeySetBoundsApplyOnlyToRemoteKeySources() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].jwks_min_refresh: applies only to jwks_uri or discovery key sources"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", secret: "0123456789abcdef0123456789abcdef", jwks_min_refresh: 10s}
            """));
  }

  @Test
  void aMinimumRefreshBelowOneSecondIsRefused() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].jwks_min_refresh: must be at least 1s (it bounds how often unknown kids"
            + " can make the gateway call the identity provider)"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", jwks_min_refresh: 500ms}
            """));
  }

  @Test
  void aMissingCaFileIsReported() {
    List<String> problems = problems(MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", ca: no-such-ca.pem}
        """);
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("gatehouse.yaml:7: auth.jwt[0].ca: file not found: "), problems.get(0));
  }

  @Test
  void shortHmacSecretIsRefusedWithoutShowingIt() {
    List<String> problems = problems(MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://auth.example.com", secret: "${JWT_SECRET}"}
        """, Map.of("JWT_SECRET", "tooshort-hunter2"));
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].secret: must be at least 32 bytes (RFC 7518 section 3.2)"), problems);
  }

  @Test
  void literalShortSecretIsNotShownEither() {
    List<String> problems = problems(MINIMAL + """
        auth:
          jwt:
            - {name: main, issuer: "https://auth.example.com", secret: hunter2}
        """);
    assertEquals(1, problems.size());
    assertFalse(problems.get(0).contains("hunter2"), problems.get(0));
  }

  @Test
  void hmacSecretMustBeAsLongAsTheLongestHashItIsUsedWith() {
    assertEquals(
        List.of("gatehouse.yaml:10: auth.jwt[0].secret: must be at least 64 bytes for HS512 (RFC 7518 section 3.2)"),
        problems(MINIMAL + """
            auth:
              jwt:
                - name: main
                  issuer: https://auth.example.com
                  algorithms: [HS256, HS512]
                  secret: ${S}
            """, Map.of("S", "x".repeat(40))));
  }

  @Test
  void algorithmsTheVerifierDoesNotImplementAreRefusedWhereTheyAreWritten() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].algorithms[1]: ES256K (secp256k1) is not supported: the JDK has no secp256k1",
            "gatehouse.yaml:7: auth.jwt[0].algorithms[2]: write EdDSA: Ed25519 tokens carry alg EdDSA (RFC 8037)"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", algorithms: [ES256, ES256K, Ed25519]}
            """));
  }

  @Test
  void plainHttpJwksUriIsAllowedToAnyLoopbackAddress() {
    for (String host : List.of("127.0.0.1", "127.0.0.2", "127.1.2.3", "localhost", "[::1]")) {
      GatehouseConfig c = assertDoesNotThrow(
          () -> TestConfigs.parse(MINIMAL + "auth: {jwt: [{name: m, issuer: i, jwks_uri: \"http://" + host + ":1/jwks\"}]}\n"), host);
      assertEquals(new KeySourceConfig.JwksUri(java.net.URI.create("http://" + host + ":1/jwks")), c.auth().jwt().get(0).keys());
    }
  }

  @Test
  void hmacAlgorithmWithPublicKeysIsRefusedAsAlgorithmConfusion() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].algorithms[1]: HS256 is an HMAC algorithm and needs secret;"
            + " accepting it with public keys invites algorithm confusion"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", algorithms: [RS256, HS256]}
            """));
  }

  @Test
  void algorithmNoneIsNeverAccepted() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].algorithms[0]: 'none' is never accepted (it means an unsigned token)"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k", algorithms: [none]}
            """));
  }

  @Test
  void providerNamesAndIssuersAreUnique() {
    assertEquals(
        List.of("gatehouse.yaml:8: auth.jwt[1].name: provider name 'main' is already used (line 7)",
            "gatehouse.yaml:8: auth.jwt[1].issuer: issuer 'https://a.example.com' is already trusted by auth.jwt[0] (line 7)"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_uri: "https://a.example.com/k"}
                - {name: main, issuer: "https://a.example.com", discovery: true}
            """));
  }

  @Test
  void missingKeyFileIsAnError() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].jwks_file: file not found: /etc/gatehouse/keys/nope.json"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: "https://a.example.com", jwks_file: keys/nope.json}
            """));
  }

  @Test
  void policyNamingAnUnknownProviderIsAnError() {
    assertEquals(
        List.of("gatehouse.yaml:9: default_policy.jwt.providers[0]: unknown token provider 'mian' (did you mean 'main'?)",
            "gatehouse.yaml:10: routes[0].policy.jwt.providers[0]: unknown token provider 'other' (configured: main)"),
        problems("""
            upstreams:
              orders: {url: "http://127.0.0.1:9000"}
            auth:
              jwt:
                - name: main
                  issuer: https://a.example.com
                  jwks_uri: https://a.example.com/k
            default_policy:
              jwt: {providers: [mian]}
            routes: [{match: {prefix: /}, upstream: orders, policy: {jwt: {providers: [other]}}}]
            """));
  }

  @Test
  void policyNamingAProviderWhenNoneAreConfiguredSaysSo() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].policy.jwt.providers[0]: unknown token provider 'main'"
            + " (no providers are configured in auth.jwt or auth.introspection)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: orders, policy: {jwt: {providers: [main]}}}\n")));
  }

  @Test
  void policyMappingTakesExactlyOneKey() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].policy: a policy mapping takes exactly one key: public, jwt, api_key, mtls"
            + " or any (found jwt, api_key; use any: {jwt: ..., api_key: ...} to accept either credential)"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: orders, policy: {jwt: {}, api_key: {}}}\n")));
  }

  @Test
  void laterRouteThatCanNeverMatchIsRefused() {
    assertEquals(
        List.of("gatehouse.yaml:5: routes[1]: route 'admin' can never match: route 'api' (line 4) comes first"
            + " and takes every request it would"),
        problems(withRoutes("""
              - {id: api, match: {prefix: /api}, upstream: orders, policy: public}
              - {id: admin, match: {prefix: /api/admin/}, upstream: orders, policy: {jwt: {roles: [admin]}}}
            """)));
  }

  @Test
  void routeNeedsExactlyOneOfPathPrefixRegex() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match: takes exactly one of path, prefix or regex (found path, prefix)",
            "gatehouse.yaml:5: routes[1].match: needs one of path, prefix or regex"),
        problems(withRoutes("""
              - {match: {path: /a, prefix: /b}, upstream: orders}
              - {match: {methods: [GET]}, upstream: orders}
            """)));
  }

  @Test
  void badRegexIsReportedWithTheRegexMessage() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.regex: invalid regex: Unclosed group near index 6"),
        problems(withRoutes("  - {match: {regex: \"^/(a|b\"}, upstream: orders}\n")));
  }

  @Test
  void pathAndPrefixMustStartWithSlash() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.prefix: 'api/' must start with '/'"),
        problems(withRoutes("  - {match: {prefix: api/}, upstream: orders}\n")));
  }

  @Test
  void routePathThatNormalisationWouldChangeCanNeverMatchAndIsRefused() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.path: '/api/../admin' must not contain '.' or '..' segments"
            + " (requests are normalised before matching)",
            "gatehouse.yaml:5: routes[1].match.prefix: '/a%2Fb' contains '%2F', which the gateway refuses in"
            + " requests, so it could never match",
            "gatehouse.yaml:6: routes[2].match.path: '/%7Euser' must write '~' instead of '%7E' (requests are"
            + " decoded before matching)"),
        problems(withRoutes("""
              - {match: {path: /api/../admin}, upstream: orders}
              - {match: {prefix: /a%2Fb}, upstream: orders}
              - {match: {path: /%7Euser}, upstream: orders}
            """)));
  }

  @Test
  void stripPrefixMustBeAWholeSegmentPrefixOfTheMatch() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].strip_prefix: '/ap' is not a whole-segment prefix of the route's"
            + " prefix '/api/v1/'"),
        problems(withRoutes("  - {match: {prefix: /api/v1/}, upstream: orders, strip_prefix: /ap}\n")));
  }

  @Test
  void stripPrefixNeedsPathOrPrefixMatch() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].strip_prefix: needs a path or prefix match, not regex"),
        problems(withRoutes("  - {match: {regex: ^/a/}, upstream: orders, strip_prefix: /a}\n")));
  }

  @Test
  void prefixesToStripOrAddMustNotEndWithSlash() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].strip_prefix: '/api/' must not end with '/' (write '/api'; the"
            + " forwarded path keeps its leading slash)",
            "gatehouse.yaml:4: routes[0].add_prefix: 'v2' must start with '/'"),
        problems(withRoutes("  - {match: {prefix: /api/}, upstream: orders, strip_prefix: /api/, add_prefix: v2}\n")));
  }

  @Test
  void routeIdsAreUnique() {
    assertEquals(
        List.of("gatehouse.yaml:5: routes[1].id: route id 'a' is already used (line 4)"),
        problems(withRoutes("""
              - {id: a, match: {path: /x}, upstream: orders}
              - {id: a, match: {path: /y}, upstream: orders}
            """)));
  }

  @Test
  void methodsMustBeHttpTokensAndHostMustNotHaveAPort() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.methods[1]: 'PO ST' is not a valid HTTP method",
            "gatehouse.yaml:4: routes[0].match.host: 'api.example.com:443' must not include a port (hosts are"
            + " matched without one)"),
        problems(withRoutes(
            "  - {match: {prefix: /, methods: [GET, PO ST], host: \"api.example.com:443\"}, upstream: orders}\n")));
  }

  @Test
  void stringWhereAListIsExpectedIsAnError() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].match.methods: expected a list, got a string"),
        problems(withRoutes("  - {match: {prefix: /, methods: GET}, upstream: orders}\n")));
  }

  @Test
  void routesMustBeAListWithAtLeastOneRoute() {
    assertEquals(List.of("gatehouse.yaml:4: routes: at least one route is required"), problems(withRoutes("  []\n")));
    assertEquals(List.of("gatehouse.yaml:4: routes: expected a list, got a mapping"),
        problems(withRoutes("  a: {match: {prefix: /}, upstream: orders}\n")));
    assertEquals(List.of("gatehouse.yaml:1: routes: is required"),
        problems("upstreams:\n  orders: {url: \"http://127.0.0.1:9000\"}\n"));
  }

  @Test
  void emptyFileIsAnError() {
    assertEquals(List.of("gatehouse.yaml:1: the file is empty"), problems(""));
    assertEquals(List.of("gatehouse.yaml:1: the file is empty"), problems("# nothing but a comment\n"));
  }

  @Test
  void invalidYamlNamesTheLine() {
    assertEquals(
        List.of("gatehouse.yaml:3: invalid YAML: while scanning for the next token: found character '\\t(TAB)'"
            + " that cannot start any token. (Do not use \\t(TAB) for indentation)"),
        problems("upstreams:\n  orders: {url: \"http://127.0.0.1:9000\"}\n\troutes: []\n"));
  }

  @Test
  void topLevelMustBeAMapping() {
    assertEquals(List.of("gatehouse.yaml:1: the top level must be a mapping, got a list"), problems("- a\n- b\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1/8:'10.0.0.1/8' has address bits set past the prefix length /8",
      "10.0.0.1:'10.0.0.1' is not a CIDR (write 10.0.0.1/32 for a single address)",
      "10.0.0.0/33:'10.0.0.0/33' is not a CIDR: the prefix length must be 0..32",
      "256.0.0.0/8:'256.0.0.0/8' is not a CIDR: '256.0.0.0' is not an IPv4 or IPv6 address",
      "proxy.internal/32:'proxy.internal/32' is not a CIDR: 'proxy.internal' is not an IPv4 or IPv6 address",
      "fd00::1/8:'fd00::1/8' has address bits set past the prefix length /8",
      "::1/129:'::1/129' is not a CIDR: the prefix length must be 0..128"})
  void badTrustedProxyCidrsAreRefused(String row) {
    int split = row.indexOf(":'");
    String cidr = row.substring(0, split);
    assertEquals(
        List.of("gatehouse.yaml:5: forwarding.trusted_proxies[0]: " + row.substring(split + 1)),
        problems(MINIMAL + "forwarding: {trusted_proxies: [\"" + cidr + "\"]}\n"));
  }

  @Test
  void reservedHeadersMayNotStripWhatTheGatewayNeeds() {
    assertEquals(
        List.of("gatehouse.yaml:5: identity.reserved_headers[0]: 'X-*' would strip X-Forwarded-For, which the"
            + " gateway needs for framing, routing, forwarding or credentials",
            "gatehouse.yaml:5: identity.reserved_headers[1]: 'x_api_key' would strip X-API-Key, which the gateway"
            + " needs for framing, routing, forwarding or credentials"),
        problems(MINIMAL + "identity: {reserved_headers: [\"X-*\", x_api_key]}\n"));
  }

  @Test
  void reservedHeadersAreComparedWithWhatTheGatewayNeedsBySkeleton() {
    assertEquals(
        List.of("gatehouse.yaml:5: identity.reserved_headers[0]: 'X.API.Key' would strip X-API-Key, which the gateway"
            + " needs for framing, routing, forwarding or credentials",
            "gatehouse.yaml:5: identity.reserved_headers[1]: 'Host-*' would strip Host, which the gateway"
            + " needs for framing, routing, forwarding or credentials",
            "gatehouse.yaml:5: identity.reserved_headers[2]: '-*' has no letter or digit: it would reserve every header"),
        problems(MINIMAL + "identity: {reserved_headers: [X.API.Key, \"Host-*\", \"-*\"]}\n"));
  }

  @Test
  void twoClaimsCannotFillHeadersABackendReadsAsOne() {
    assertEquals(
        List.of("gatehouse.yaml:5: identity.claims.mail: header 'X_User.Email' is already filled by claim 'email'",
            "gatehouse.yaml:5: identity.claims.nick: '_' has no letter or digit",
            "gatehouse.yaml:5: identity.claims.rid: 'X_Request.Id' cannot carry identity: the gateway uses it for"
            + " framing, routing, forwarding or credentials"),
        problems(MINIMAL + "identity: {claims: {sub: X-User-Id, email: X-User-Email, mail: X_User.Email, nick: _, rid: X_Request.Id}}\n"));
  }

  @Test
  void identityClaimMayNotFillAHeaderTheGatewayControls() {
    assertEquals(
        List.of("gatehouse.yaml:5: identity.claims.sub: 'Host' cannot carry identity: the gateway uses it for"
            + " framing, routing, forwarding or credentials",
            "gatehouse.yaml:5: identity.claims.mail: header 'x-user-email' is already filled by claim 'email'"),
        problems(MINIMAL + "identity: {claims: {sub: Host, email: X-User-Email, mail: x-user-email}}\n"));
  }

  @Test
  void listenersCannotShareAPort() {
    assertEquals(
        List.of("gatehouse.yaml:6: admin.port: admin and listen both use port 8080"),
        problems(MINIMAL + "listen: {port: 8080}\nadmin: {port: 8080}\n"));
  }

  @Test
  void portOutOfRangeIsAnError() {
    assertEquals(
        List.of("gatehouse.yaml:5: listen.port: must be between 0 and 65535, got '70000'"),
        problems(MINIMAL + "listen: {port: 70000}\n"));
  }

  @Test
  void yesIsNotABoolean() {
    assertEquals(
        List.of("gatehouse.yaml:4: routes[0].websocket: expected true or false, got 'yes'"),
        problems(withRoutes("  - {match: {prefix: /}, upstream: orders, websocket: yes}\n")));
  }

  @Test
  void yamlMergeKeysAreRefused() {
    assertEquals(
        List.of("gatehouse.yaml:3: upstreams.billing.<<: YAML merge keys are not supported",
            "gatehouse.yaml:3: upstreams.billing.url: is required"),
        problems("""
            upstreams:
              orders: &o {url: "http://127.0.0.1:9000"}
              billing: {<<: *o}
            routes:
              - {match: {prefix: /}, upstream: orders}
            """));
  }

  @Test
  void everyProblemIsReportedAtOnceInLineOrder() {
    ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.parse("""
        listen: {port: -1}
        upstreams:
          orders: {url: "ftp://x", timeout: 1x}
        routes:
          - {match: {prefix: /}, upstream: nope, policy: jtw}
        """));
    assertEquals(List.of(1, 3, 3, 5, 5), e.problems().stream().map(ConfigException.Problem::line).toList());
    assertEquals(e.problems().size(), e.getMessage().lines().count());
  }

  @Test
  void anApiKeyQueryParameterNeedsALetterOrADigit() {
    assertEquals(List.of("gatehouse.yaml:1: auth.api_keys.query_param: '_-' is not a valid query parameter name (letters, digits,"
        + " '-', '.', '_', '~', with a letter or digit; or false)"), problems("auth: {api_keys: {query_param: _-}}\n" + MINIMAL));
  }

  @Test
  void noMessageEverShowsAValueFromTheEnvironment() {
    String secret = "hunter2hunter2";
    List<String> problems = problems("""
        listen: {host: "${S}", port: "${S}"}
        upstreams:
          orders: {url: "${S}", timeout: "${S}", max_connections: "${S}"}
          billing: {url: "http://${S}:80/a/../${S}"}
        auth:
          api_keys: {header: "${S} x", query_param: "${S}&"}
          jwt:
            - {name: "${S}!", issuer: "${S}", jwks_uri: "http://${S}/k", algorithms: ["${S}"]}
            - {name: b, issuer: "${S}", jwks_file: "${S}/jwks.json"}
        identity: {claims: {sub: "${S} y"}, reserved_headers: ["${S} z"]}
        forwarding: {trusted_proxies: ["${S}", "10.0.0.1/${S}"]}
        limits: {max_body: "${S}", idle_timeout: "${S}"}
        default_policy: "${S}"
        routes:
          - id: r
            match: {prefix: "${S}", methods: ["${S} q"], host: "${S}:1"}
            upstream: "${S}"
            policy: {jwt: {providers: ["${S}"]}}
            strip_prefix: "/${S}"
            websocket: "${S}"
          - {match: {regex: "(${S}"}, upstream: orders}
        """, Map.of("S", secret));
    assertTrue(problems.size() > 25, String.join("\n", problems));
    for (String p : problems) assertFalse(p.contains("hunter2"), p);
  }

  @Test
  void wrongTypeNamesWhatWasExpected() {
    assertEquals(
        List.of("gatehouse.yaml:6: listen.port: expected a whole number, got a list",
            "gatehouse.yaml:7: limits.idle_timeout: expected a duration, got a mapping",
            "gatehouse.yaml:8: identity: expected a mapping, got an empty value"),
        problems(MINIMAL + """
            listen:
              port: [8080]
            limits: {idle_timeout: {seconds: 5}}
            identity:
            """));
  }

  @Test
  void discoveryNeedsAnHttpsIssuer() {
    assertEquals(
        List.of("gatehouse.yaml:7: auth.jwt[0].issuer: discovery needs an https issuer URL, since keys are found"
            + " at {issuer}/.well-known/openid-configuration: 'auth.example.com' must be an https:// URL with a host"),
        problems(MINIMAL + """
            auth:
              jwt:
                - {name: main, issuer: auth.example.com, discovery: true}
            """));
  }
}
