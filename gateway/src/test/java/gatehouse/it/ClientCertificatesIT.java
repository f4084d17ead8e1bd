package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.TestPki;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code listen.tls.client_auth} against every kind of client certificate: none, one {@code
 * client_ca} vouches for, one of another CA, and an expired one of the right CA, each on a public
 * and on an {@code mtls} route. With {@code request} the handshake always completes and only a
 * certificate the gateway verified is an identity; with {@code require} the handshake refuses all
 * but the trusted one. The clients offer their certificate whatever CAs the gateway names, as curl
 * and OpenSSL do, so the gateway really receives the untrusted and the expired one.
 */
class ClientCertificatesIT {
  @TempDir static Path dir;
  static Vertx vertx;
  static UpstreamRecorder upstream;
  static Gatehouse requesting;
  static Gatehouse requiring;
  static Map<String, TestPki.Issued> certificates;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> upstream);

  /** A handshake the gateway refused, where a row expects no HTTP answer. */
  static final int REFUSED = -1;

  @BeforeAll
  static void start() throws Exception {
    vertx = TestVertx.create();
    TestPki.Ca edge = TestPki.ca("Edge CA");
    edge.writeCertificate(dir.resolve("edge-ca.pem"));
    edge.server("localhost").write(dir, "server");
    TestPki.Ca clients = TestPki.ca("Client CA");
    clients.writeCertificate(dir.resolve("client-ca.pem"));
    certificates = Map.of(
        "trusted", clients.client("orders-client"),
        "untrusted", TestPki.ca("Other CA").client("orders-client"),
        // Valid from an hour ago for half an hour: expired thirty minutes ago.
        "expired", clients.issue("CN=orders-client,O=Gatehouse Tests", List.of(), KeyPurposeId.id_kp_clientAuth, Duration.ofMinutes(30)));
    upstream = UpstreamRecorder.start(vertx);
    requesting = gateway("request");
    requiring = gateway("require");
  }

  static Gatehouse gateway(String clientAuth) throws Exception {
    Path config = dir.resolve(clientAuth + ".yaml");
    Files.writeString(config, String.join("\n",
        "listen: {host: 127.0.0.1, port: 0, tls: {cert: server.pem, key: server-key.pem, client_ca: client-ca.pem, client_auth: " + clientAuth + "}}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + upstream.url() + "\"}",
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {match: {prefix: /cert/}, upstream: app, policy: mtls}",
        "  - {match: {prefix: /open/}, upstream: app, policy: public}",
        ""));
    return await(Gatehouse.start(ConfigLoader.load(config), Clock.systemUTC(), vertx, false));
  }

  @AfterAll
  static void stop() {
    if (requesting != null) await(requesting.close());
    if (requiring != null) await(requiring.close());
    if (upstream != null) upstream.close();
    if (vertx != null) await(vertx.close());
  }

  static Stream<Arguments> matrix() {
    return Stream.of(
        // client_auth, certificate, route, status (REFUSED: no handshake), X-User-Id at the upstream
        Arguments.of("request", "none", "/open/x", 200, null),
        Arguments.of("request", "none", "/cert/x", 401, null),
        Arguments.of("request", "trusted", "/open/x", 200, null),
        Arguments.of("request", "trusted", "/cert/x", 200, "orders-client"),
        Arguments.of("request", "untrusted", "/open/x", 200, null),
        Arguments.of("request", "untrusted", "/cert/x", 401, null),
        Arguments.of("request", "expired", "/open/x", 200, null),
        Arguments.of("request", "expired", "/cert/x", 401, null),
        Arguments.of("require", "none", "/open/x", REFUSED, null),
        Arguments.of("require", "none", "/cert/x", REFUSED, null),
        Arguments.of("require", "trusted", "/open/x", 200, null),
        Arguments.of("require", "trusted", "/cert/x", 200, "orders-client"),
        Arguments.of("require", "untrusted", "/open/x", REFUSED, null),
        Arguments.of("require", "untrusted", "/cert/x", REFUSED, null),
        Arguments.of("require", "expired", "/open/x", REFUSED, null),
        Arguments.of("require", "expired", "/cert/x", REFUSED, null));
  }

  @ParameterizedTest(name = "client_auth {0}, {1} certificate, {2}: {3}")
  @MethodSource("matrix")
  void eachClientCertificateMeetsTheRoutesPolicyAsTheReadmeSays(String clientAuth, String certificate, String path,
      int status, String userId) {
    Gatehouse gateway = clientAuth.equals("request") ? requesting : requiring;
    HttpClient client = client(certificate);
    try {
      Future<HttpClientResponse> answer = get(client, gateway.port(), path);
      if (status == REFUSED) {
        Throwable failure = answer.toCompletionStage().toCompletableFuture().handle((r, e) -> e).join();
        assertNotNull(failure, "the handshake is refused");
        return;
      }
      HttpClientResponse r = await(answer);
      assertEquals(status, r.statusCode());
      if (status == 401) {
        assertEquals("Certificate realm=\"gatehouse\"", r.getHeader("WWW-Authenticate"));
      } else {
        assertEquals(Optional.ofNullable(userId), upstream.lastRequest().header("X-User-Id"));
      }
    } finally {
      await(client.close());
    }
  }

  static HttpClient client(String certificate) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setKeepAlive(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("edge-ca.pem").toString()));
    if (!certificate.equals("none")) o.setKeyCertOptions(offering(certificates.get(certificate)));
    return vertx.createHttpClient(o);
  }

  static Future<HttpClientResponse> get(HttpClient client, int port, String path) {
    RequestOptions o = new RequestOptions().setHost("localhost").setPort(port).setURI(path);
    return client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp)));
  }

  /**
   * A key manager that offers its one certificate to every server, whichever CAs the server names
   * (the JDK's own would offer none when the issuer is not among them).
   */
  static KeyCertOptions offering(TestPki.Issued issued) {
    X509Certificate[] chain = {issued.certificate(), issued.issuer()};
    PrivateKey key = issued.keys().getPrivate();
    return KeyCertOptions.wrap(new X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {"client"};
      }
      @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return "client";
      }
      @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return "client";
      }
      @Override public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }
      @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }
      @Override public X509Certificate[] getCertificateChain(String alias) {
        return chain.clone();
      }
      @Override public PrivateKey getPrivateKey(String alias) {
        return key;
      }
    });
  }
}
