package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestPki;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS at the edge (TLS 1.3, ALPN h2, certificate reload under load), client certificates and
 * {@code mtls} policies, and mutual TLS to an upstream (success, wrong CA, no client certificate,
 * wrong name). Every CA and certificate is made here ({@link TestPki}).
 */
class TrustIT {
  @TempDir static Path dir;
  static Vertx vertx;
  static UpstreamRecorder plain;
  static UpstreamRecorder secure;
  static Gatehouse gateway;
  static TestPki.Ca serverCa;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> plain);

  @BeforeAll
  static void start() throws Exception {
    vertx = TestVertx.create();
    serverCa = TestPki.ca("Edge CA");
    serverCa.writeCertificate(dir.resolve("edge-ca.pem"));
    serverCa.server("localhost").write(dir, "server");
    TestPki.Ca clientCa = TestPki.ca("Client CA");
    clientCa.writeCertificate(dir.resolve("client-ca.pem"));
    clientCa.client("orders-client", "spiffe://test/orders").write(dir, "orders");
    clientCa.client("stranger").write(dir, "stranger");
    TestPki.ca("Rogue CA").client("orders-client").write(dir, "rogue");

    TestPki.Ca upstreamCa = TestPki.ca("Upstream CA");
    upstreamCa.writeCertificate(dir.resolve("upstream-ca.pem"));
    upstreamCa.server("localhost").write(dir, "upstream");
    TestPki.Ca gatewayCa = TestPki.ca("Gateway client CA");
    gatewayCa.writeCertificate(dir.resolve("gateway-ca.pem"));
    gatewayCa.client("gatehouse").write(dir, "gateway-client");

    plain = UpstreamRecorder.start(vertx);
    secure = UpstreamRecorder.start(vertx, new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("upstream.pem").toString())
            .setKeyPath(dir.resolve("upstream-key.pem").toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("gateway-ca.pem").toString()))
        .setClientAuth(ClientAuth.REQUIRED));
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    String https = "https://127.0.0.1:" + secure.port();
    String mutual = "cert: gateway-client.pem, key: gateway-client-key.pem";
    Files.writeString(dir.resolve("gatehouse.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0, tls: {cert: server.pem, key: server-key.pem, client_ca: client-ca.pem}}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + plain.url() + "\"}",
        "  secure: {url: \"" + https + "\", tls: {ca: upstream-ca.pem, " + mutual + ", server_name: localhost}}",
        "  wrongca: {url: \"" + https + "\", tls: {ca: edge-ca.pem, " + mutual + ", server_name: localhost}}",
        "  nocert: {url: \"" + https + "\", tls: {ca: upstream-ca.pem, server_name: localhost}}",
        "  wrongname: {url: \"" + https + "\", tls: {ca: upstream-ca.pem, " + mutual + ", server_name: orders.internal}}",
        "auth:",
        "  jwt: [{name: main, issuer: \"" + TestTokens.ISSUER + "\", audiences: [" + TestTokens.AUDIENCE + "], jwks_file: jwks.json}]",
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {match: {prefix: /mtls/}, upstream: app, policy: {mtls: {subjects: [\"spiffe://test/orders\"]}}}",
        "  - {match: {prefix: /either/}, upstream: app, policy: {any: {jwt: {}, mtls: {}}}}",
        "  - {match: {prefix: /bearer/}, upstream: app, policy: jwt}",
        "  - {match: {prefix: /secure/}, upstream: secure, policy: public}",
        "  - {match: {prefix: /wrongca/}, upstream: wrongca, policy: public}",
        "  - {match: {prefix: /nocert/}, upstream: nocert, policy: public}",
        "  - {match: {prefix: /wrongname/}, upstream: wrongname, policy: public}",
        "  - {match: {prefix: /}, upstream: app, policy: public}",
        ""));
    gateway = await(Gatehouse.start(ConfigLoader.load(dir.resolve("gatehouse.yaml")), Clock.systemUTC(), vertx, false));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) await(gateway.close());
    plain.close();
    secure.close();
    await(vertx.close());
  }

  /** A client that trusts the edge CA, speaks TLS 1.3 only and offers h2 then http/1.1. */
  static HttpClient client(String clientCert, boolean keepAlive) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("edge-ca.pem").toString()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3")).setVerifyHost(true).setKeepAlive(keepAlive);
    if (clientCert != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve(clientCert + ".pem").toString())
          .setKeyPath(dir.resolve(clientCert + "-key.pem").toString()));
    }
    return vertx.createHttpClient(o);
  }

  static Future<HttpClientResponse> get(HttpClient client, String path, Map<String, String> headers) {
    RequestOptions o = new RequestOptions().setHost("localhost").setPort(gateway.port()).setURI(path);
    headers.forEach(o::addHeader);
    return client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp)));
  }

  static int status(HttpClient client, String path) {
    return await(get(client, path, Map.of())).statusCode();
  }

  @Test
  void tls13AndHttp2ReachTheUpstreamAsHttps() {
    HttpClient c = client(null, true);
    try {
      HttpClientResponse r = await(get(c, "/hello", Map.of("X-User-Id", GatewayInvariants.SPOOF)));
      assertEquals(200, r.statusCode());
      assertEquals(HttpVersion.HTTP_2, r.version());
      assertEquals("TLSv1.3", r.request().connection().sslSession().getProtocol());
      assertEquals(java.util.Optional.of("https"), plain.lastRequest().header("X-Forwarded-Proto"));
    } finally {
      await(c.close());
    }
  }

  /**
   * HTTP/2 negotiated by ALPN states {@code limits.max_header_size} (here its default, 16384) as its
   * header list limit (RFC 9113 section 6.5.2), not Vert.x's 8 KiB default; {@code Http2IT} checks
   * the limit is enforced.
   */
  @Test
  void http2OverTlsAnnouncesMaxHeaderSizeAsItsHeaderListLimit() {
    HttpClient c = client(null, true);
    try {
      HttpClientResponse r = await(get(c, "/hello", Map.of()));
      assertEquals(HttpVersion.HTTP_2, r.version());
      assertEquals(16384, r.request().connection().remoteSettings().getMaxHeaderListSize());
    } finally {
      await(c.close());
    }
  }

  @Test
  void tls12WithHttp11IsServedAndOlderVersionsAreRefused() {
    HttpClient tls12 = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("edge-ca.pem").toString()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2")));
    HttpClient tls11 = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("edge-ca.pem").toString()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.1")));
    try {
      HttpClientResponse r = await(get(tls12, "/hello", Map.of()));
      assertEquals(HttpVersion.HTTP_1_1, r.version());
      assertEquals("TLSv1.2", r.request().connection().sslSession().getProtocol());
      assertTrue(get(tls11, "/hello", Map.of()).toCompletionStage().toCompletableFuture().handle((x, e) -> e != null).join());
    } finally {
      await(tls12.close());
      await(tls11.close());
    }
  }

  @Test
  void aClientCertificateSatisfiesAnMtlsPolicyAndNamesTheIdentity() {
    HttpClient orders = client("orders", true);
    HttpClient stranger = client("stranger", true);
    HttpClient none = client(null, true);
    try {
      HttpClientResponse ok = await(get(orders, "/mtls/x", Map.of("X-User-Id", GatewayInvariants.SPOOF)));
      assertEquals(200, ok.statusCode());
      assertEquals(java.util.Optional.of("orders-client"), plain.lastRequest().header("X-User-Id"));
      HttpClientResponse other = await(get(stranger, "/mtls/x", Map.of()));
      assertEquals(403, other.statusCode());
      assertEquals("subject_not_allowed", new JsonObject(await(other.body())).getString("error"));
      assertEquals(401, status(none, "/mtls/x"));
      assertEquals(200, status(stranger, "/either/x"), "any: {mtls: {}} admits every certificate client_ca vouches for");
      assertEquals(401, status(stranger, "/bearer/x"), "a certificate does not count where the policy names no mtls");
      String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice").sign());
      HttpClientResponse both = await(get(orders, "/either/x", Map.of("Authorization", "Bearer " + token)));
      assertEquals(400, both.statusCode());
      assertEquals("multiple_credentials", new JsonObject(await(both.body())).getString("error"));
    } finally {
      await(orders.close());
      await(stranger.close());
      await(none.close());
    }
  }

  @Test
  void aCertificateFromAnotherCaCountsAsNoneWhenCertificatesAreRequested() {
    // The JDK's client offers no certificate whose issuer the gateway does not name, so this client
    // arrives without one; ClientCertificatesIT offers the untrusted certificate as curl would.
    HttpClient rogue = client("rogue", true);
    try {
      assertEquals(401, status(rogue, "/mtls/x"));
    } finally {
      await(rogue.close());
    }
  }

  @Test
  void mutualTlsToTheUpstreamWorksAndEachFailureIsA502UpstreamTls() {
    HttpClient c = client(null, true);
    try {
      assertEquals(200, status(c, "/secure/x"));
      assertEquals(java.util.Optional.of("127.0.0.1:" + secure.port()), secure.lastRequest().header("Host"));
      for (String path : List.of("/wrongca/x", "/nocert/x", "/wrongname/x")) {
        HttpClientResponse r = await(get(c, path, Map.of()));
        assertEquals(502, r.statusCode(), path);
        assertEquals("upstream_tls", new JsonObject(await(r.body())).getString("error"), path);
        String upstream = path.substring(1, path.indexOf('/', 1));
        invariants.awaitLogLine(l -> l.contains("upstream '" + upstream + "': TLS handshake failed"));
      }
    } finally {
      await(c.close());
    }
  }

  @Test
  void aNewCertificateIsServedToNewConnectionsWhileOpenOnesKeepWorkingAndNoRequestFails() throws Exception {
    HttpClient kept = client(null, true);
    try {
      HttpClientResponse first = await(get(kept, "/hello", Map.of()));
      BigInteger before = serial(first);

      // Rotate three times while 8 connections make fresh handshakes; not one request may fail.
      HttpClient load = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setKeepAlive(false)
          .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("edge-ca.pem").toString())),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
      List<Future<HttpClientResponse>> all = new ArrayList<>();
      BigInteger last = before;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) all.add(get(load, "/load", Map.of()));
        TestPki.Issued next = serverCa.server("localhost").write(dir, "server");
        assertTrue(await(gateway.listenerTls().orElseThrow().checkNow()), "the changed files are loaded");
        last = next.certificate().getSerialNumber();
      }
      for (Future<HttpClientResponse> f : all) assertEquals(200, await(f).statusCode());
      await(load.close());

      HttpClientResponse again = await(get(kept, "/hello", Map.of()));
      assertEquals(before, serial(again), "the open connection keeps its handshake");
      HttpClient fresh = client(null, true);
      assertEquals(last, serial(await(get(fresh, "/hello", Map.of()))));
      await(fresh.close());
      assertFalse(await(gateway.listenerTls().orElseThrow().checkNow()), "unchanged files are not reloaded");
    } finally {
      await(kept.close());
    }
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefusedAndTheOldOneStays() throws Exception {
    HttpClient c = client(null, false);
    try {
      BigInteger before = serial(await(get(c, "/hello", Map.of())));
      String goodKey = Files.readString(dir.resolve("server-key.pem"));
      String goodCert = Files.readString(dir.resolve("server.pem"));
      serverCa.server("localhost").write(dir, "server");
      Files.writeString(dir.resolve("server-key.pem"), goodKey);
      assertFalse(await(gateway.listenerTls().orElseThrow().checkNow()));
      invariants.awaitLogLine(l -> l.contains("listen.tls: the changed files were not loaded") && l.contains("does not belong"));
      assertEquals(before, serial(await(get(c, "/hello", Map.of()))));
      Files.writeString(dir.resolve("server.pem"), goodCert);
    } finally {
      await(c.close());
    }
  }

  private static BigInteger serial(HttpClientResponse r) {
    try {
      return ((X509Certificate) r.request().connection().peerCertificates().get(0)).getSerialNumber();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }
}
