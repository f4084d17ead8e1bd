package gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listen.tls}, {@code upstreams.*.tls}, {@code sign} and {@code mtls} policies: values and exact errors. */
class TrustConfigTest {
  @TempDir static Path dir;

  @BeforeAll
  static void files() throws Exception {
    TestPki.Ca ca = TestPki.ca("Config CA");
    ca.writeCertificate(dir.resolve("ca.pem"));
    ca.server("localhost").write(dir, "server");
    Files.writeString(dir.resolve("ed.pem"), TestPki.privateKeyPem(TestPki.ed25519Keys().getPrivate()));
    Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
  }

  private static GatehouseConfig parse(String yaml) throws ConfigException {
    return TestConfigs.parse(yaml, dir);
  }

  private static List<String> problems(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    return e.problems().stream().map(p -> p.toString().replace(dir.toString(), "DIR")).toList();
  }

  @Test
  void everyTrustKeyIsReadWithItsDefaults() throws Exception {
    GatehouseConfig c = parse("""
        listen:
          tls: {cert: server.pem, key: server-key.pem, client_ca: ca.pem}
        sign:
          mode: http_signature
          algorithm: hmac-sha256
          keys: [{id: k2, secret: "0123456789abcdef0123456789abcdef"}, {id: k1, secret: "fedcba9876543210fedcba9876543210"}]
        upstreams:
          orders: {url: "https://orders.internal:8443", tls: {ca: ca.pem, cert: server.pem, key: server-key.pem, server_name: Orders.Internal}}
          billing:
            url: "http://127.0.0.1:9000"
            sign: {mode: identity_token, algorithm: EdDSA, keys: [{id: gw, private_key: ed.pem}], lifetime: 20s}
          legacy: {url: "http://127.0.0.1:9001", sign: {mode: none}}
        routes:
          - {match: {prefix: /o/}, upstream: orders, policy: {mtls: {subjects: [orders-client, "spiffe://test/orders"]}}}
          - {match: {prefix: /b/}, upstream: billing, policy: {any: {jwt: {}, mtls: {}}}}
          - {match: {prefix: /}, upstream: legacy, policy: mtls}
        """);
    ListenTlsConfig tls = c.listen().tls().orElseThrow();
    assertEquals(dir.resolve("server.pem"), tls.cert());
    assertEquals(Optional.of(dir.resolve("ca.pem")), tls.clientCa());
    assertEquals(ListenTlsConfig.ClientAuth.REQUEST, tls.clientAuth());
    UpstreamConfig orders = c.upstreams().get("orders");
    assertEquals(Optional.of("orders.internal"), orders.tls().serverName());
    assertEquals(SignConfig.Mode.HTTP_SIGNATURE, orders.sign().mode());
    assertEquals(List.of("k2", "k1"), orders.sign().keys().stream().map(SignConfig.Key::id).toList());
    SignConfig billing = c.upstreams().get("billing").sign();
    assertEquals(SignConfig.Mode.IDENTITY_TOKEN, billing.mode());
    assertEquals("Gatehouse-Identity", billing.header());
    assertEquals(Duration.ofSeconds(20), billing.lifetime());
    assertEquals(SignConfig.Mode.NONE, c.upstreams().get("legacy").sign().mode());
    assertEquals(new Policy.Mtls(Set.of("orders-client", "spiffe://test/orders")), c.routes().get(0).policy());
    assertEquals(Optional.of(new Policy.Mtls(Set.of())), ((Policy.Any) c.routes().get(1).policy()).mtls());
    assertEquals(new Policy.Mtls(Set.of()), c.routes().get(2).policy());
  }

  @Test
  void listenerTlsErrorsNameFileLineAndKey() {
    assertEquals(List.of(
        "gatehouse.yaml:2: listen.tls.key: is required",
        "gatehouse.yaml:2: listen.tls.client_auth: require needs client_ca (the CAs client certificates must chain to)",
        "gatehouse.yaml:3: listen.tls.cert: is not a PEM certificate file: DIR/garbage.pem"),
        problems("""
            listen:
              tls: {client_auth: require,
                cert: garbage.pem}
            """ + TestConfigs.MINIMAL));
    assertEquals(List.of("gatehouse.yaml:2: listen.tls.client_auth: expected none, request or require, got 'always'"),
        problems("""
            listen:
              tls: {cert: server.pem, key: server-key.pem, client_ca: ca.pem, client_auth: always}
            """ + TestConfigs.MINIMAL));
    assertEquals(List.of("gatehouse.yaml:2: listen.tls.client_auth: none ignores client_ca; remove one of them"),
        problems("""
            listen:
              tls: {cert: server.pem, key: server-key.pem, client_ca: ca.pem, client_auth: none}
            """ + TestConfigs.MINIMAL));
    assertEquals(List.of("gatehouse.yaml:2: listen.tls.key: file not found: DIR/missing.pem"),
        problems("""
            listen:
              tls: {cert: server.pem, key: missing.pem}
            """ + TestConfigs.MINIMAL));
  }

  @Test
  void upstreamTlsErrorsNameFileLineAndKey() {
    assertEquals(List.of(
        "gatehouse.yaml:2: upstreams.a.tls: applies only to https:// urls",
        "gatehouse.yaml:3: upstreams.b.tls.key: cert and key go together (the gateway's client certificate)",
        "gatehouse.yaml:4: upstreams.c.tls.server_name: 'not a name' is not a host name",
        "gatehouse.yaml:5: upstreams.d.tls.ca: file not found: DIR/nope.pem"),
        problems("""
            upstreams:
              a: {url: "http://127.0.0.1:9000", tls: {ca: ca.pem}}
              b: {url: "https://b.internal", tls: {cert: server.pem}}
              c: {url: "https://c.internal", tls: {server_name: "not a name"}}
              d: {url: "https://d.internal", tls: {ca: nope.pem}}
            routes:
              - {match: {prefix: /}, upstream: a}
            """));
  }

  @Test
  void signErrorsNameFileLineAndKey() {
    assertEquals(List.of(
        "gatehouse.yaml:1: sign.mode: expected none, http_signature or identity_token, got 'hmac'"),
        problems("sign: {mode: hmac}\n" + TestConfigs.MINIMAL));
    assertEquals(List.of(
        "gatehouse.yaml:2: upstreams.a.sign.algorithm: expected hmac-sha256 or ed25519 with mode http_signature, got 'HS256'",
        "gatehouse.yaml:2: upstreams.a.sign.keys: is required",
        "gatehouse.yaml:3: upstreams.b.sign.keys[0].private_key: hmac-sha256 takes a secret, not a private_key",
        "gatehouse.yaml:4: upstreams.c.sign.keys[0].secret: this algorithm signs with a private_key, not a secret",
        "gatehouse.yaml:5: upstreams.d.sign.keys[0].secret: must be at least 32 bytes",
        "gatehouse.yaml:6: upstreams.e.sign.header: applies only to mode identity_token",
        "gatehouse.yaml:7: upstreams.f.sign.lifetime: must be at most 60s (identity tokens are short-lived)",
        "gatehouse.yaml:8: upstreams.g.sign.keys[1].id: key id 'k' is used twice",
        "gatehouse.yaml:9: upstreams.h.sign.header: 'Authorization' is a header the gateway needs for framing, routing, forwarding or credentials",
        "gatehouse.yaml:10: upstreams.i.sign.algorithm: mode none takes no algorithm"),
        problems("""
            upstreams:
              a: {url: "http://127.0.0.1:1", sign: {mode: http_signature, algorithm: HS256}}
              b: {url: "http://127.0.0.1:2", sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: k, private_key: ed.pem}]}}
              c: {url: "http://127.0.0.1:3", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, secret: x}]}}
              d: {url: "http://127.0.0.1:4", sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: k, secret: short}]}}
              e: {url: "http://127.0.0.1:5", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], header: X-Id}}
              f: {url: "http://127.0.0.1:6", sign: {mode: identity_token, algorithm: EdDSA, keys: [{id: k, private_key: ed.pem}], lifetime: 90s}}
              g: {url: "http://127.0.0.1:7", sign: {mode: identity_token, algorithm: EdDSA, keys: [{id: k, private_key: ed.pem}, {id: k, private_key: ed.pem}]}}
              h: {url: "http://127.0.0.1:8", sign: {mode: identity_token, algorithm: ES256, keys: [{id: k, private_key: ed.pem}], header: Authorization}}
              i: {url: "http://127.0.0.1:9", sign: {mode: none, algorithm: ed25519}}
            routes:
              - {match: {prefix: /}, upstream: a}
            """));
  }

  @Test
  void contentDigestIsOffByDefaultAndTakesAMaxBody() throws Exception {
    GatehouseConfig c = parse("""
        sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: k, secret: "0123456789abcdef0123456789abcdef"}]}
        upstreams:
          plain: {url: "http://127.0.0.1:1"}
          sized: {url: "http://127.0.0.1:2", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: e, private_key: ed.pem}], content_digest: {max_body: 64KiB}}}
          defaulted: {url: "http://127.0.0.1:3", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: e, private_key: ed.pem}], content_digest: {}}}
        routes:
          - {match: {prefix: /}, upstream: plain}
        """);
    assertEquals(OptionalLong.empty(), c.upstreams().get("plain").sign().contentDigestMaxBody());
    assertEquals(OptionalLong.of(64 * 1024), c.upstreams().get("sized").sign().contentDigestMaxBody());
    assertEquals(OptionalLong.of(1 << 20), c.upstreams().get("defaulted").sign().contentDigestMaxBody());
  }

  @Test
  void contentDigestErrorsNameFileLineAndKey() {
    assertEquals(List.of(
        "gatehouse.yaml:2: upstreams.a.sign.content_digest.max_body: must be between 1 and 16777216 bytes, got '32MiB'",
        "gatehouse.yaml:3: upstreams.b.sign.content_digest.max_body: invalid size 'lots' (expected " + Syntax.SIZE_FORMS + ")",
        "gatehouse.yaml:4: upstreams.c.sign.content_digest.max_bytes: unknown key 'max_bytes' (expected one of: max_body)",
        "gatehouse.yaml:5: upstreams.d.sign.content_digest: applies only to mode http_signature",
        "gatehouse.yaml:6: upstreams.e.sign.content_digest: mode none takes no content_digest",
        "gatehouse.yaml:7: upstreams.f.sign.content_digest: expected a mapping, got a string",
        "gatehouse.yaml:8: upstreams.g.sign.content_digest.max_body: must be between 1 and 16777216 bytes, got '0'"),
        problems("""
            upstreams:
              a: {url: "http://127.0.0.1:1", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], content_digest: {max_body: 32MiB}}}
              b: {url: "http://127.0.0.1:2", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], content_digest: {max_body: lots}}}
              c: {url: "http://127.0.0.1:3", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], content_digest: {max_bytes: 1KiB}}}
              d: {url: "http://127.0.0.1:4", sign: {mode: identity_token, algorithm: EdDSA, keys: [{id: k, private_key: ed.pem}], content_digest: {max_body: 1KiB}}}
              e: {url: "http://127.0.0.1:5", sign: {mode: none, content_digest: {max_body: 1KiB}}}
              f: {url: "http://127.0.0.1:6", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], content_digest: true}}
              g: {url: "http://127.0.0.1:7", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: k, private_key: ed.pem}], content_digest: {max_body: 0}}}
            routes:
              - {match: {prefix: /}, upstream: a}
            """));
  }

  @Test
  void anMtlsPolicyNeedsAClientCa() {
    assertEquals(List.of(
        "gatehouse.yaml:4: routes[0].policy: mtls needs listen.tls.client_ca: client certificates are asked for only then",
        "gatehouse.yaml:5: routes[1].policy.any.mtls: mtls needs listen.tls.client_ca: client certificates are asked for only then"),
        problems(TestConfigs.withRoutes("""
              - {match: {prefix: /a/}, upstream: orders, policy: mtls}
              - {match: {prefix: /}, upstream: orders, policy: {any: {mtls: {subjects: [x]}}}}
            """)));
  }
}
