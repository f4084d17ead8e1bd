package gatehouse.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.config.ForwardingConfig;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder.Recorded;
import gatehouse.testing.UpstreamRecorder.Reply;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What crosses the gateway in headers, both ways, seen on the wire at both ends. */
class HeaderForwardingTest {

  private static Vertx vertx;
  private UpstreamRecorder upstream;
  private TestGateway gateway;

  @BeforeAll
  static void startVertx() {
    vertx = TestVertx.create();
  }

  @AfterAll
  static void stopVertx() {
    TestGateway.await(vertx.close());
  }

  @BeforeEach
  void startUpstream() {
    upstream = UpstreamRecorder.start(vertx);
  }

  @AfterEach
  void stopServers() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private void startGateway(List<String> trustedProxies) {
    gateway =
        TestGateway.start(
            vertx,
            TestGateway.upstream(upstream.url()),
            new ForwardingConfig(trustedProxies),
            in -> new ProxyRequest(
                TestGateway.UPSTREAM,
                in.uri(),
                headers -> {
                  headers.remove("X-User-Id");
                  headers.set("X-User-Id", "alice");
                },
                Optional.empty(),
                1 << 20,
                false));
  }

  @Test
  void hopByHopHeadersAndThoseNamedInConnectionAreNotForwarded() throws Exception {
    startGateway(List.of());
    RawHttp.Response response =
        RawHttp.exchange(
            gateway.port(),
            "GET /orders HTTP/1.1",
            "Host: shop.example",
            "Connection: keep-alive, X-Hop-Only",
            "Keep-Alive: timeout=5",
            "Proxy-Connection: keep-alive",
            "Proxy-Authorization: Basic Zm9vOmJhcg==",
            "TE: trailers",
            "Trailer: X-Checksum",
            "Upgrade: example/1",
            "X-Hop-Only: secret",
            "X-End-To-End: kept");

    assertEquals(200, response.status());
    Recorded received = upstream.lastRequest();
    for (String name :
        List.of("Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer",
            "Upgrade", "X-Hop-Only")) {
      assertEquals(List.of(), received.headers(name), name);
    }
    assertEquals(List.of("kept"), received.headers("X-End-To-End"));
  }

  @Test
  void aClientConnectionHeaderCannotRemoveHeadersTheGatewaySets() throws Exception {
    startGateway(List.of());
    RawHttp.exchange(
        gateway.port(),
        "GET /orders HTTP/1.1",
        "Host: shop.example",
        "Connection: X-User-Id, X-Forwarded-For, Forwarded, X-Forwarded-Host",
        "X-User-Id: mallory");

    Recorded received = upstream.lastRequest();
    assertEquals(List.of("alice"), received.headers("X-User-Id"));
    assertEquals(List.of("127.0.0.1"), received.headers("X-Forwarded-For"));
    assertEquals(List.of("shop.example"), received.headers("X-Forwarded-Host"));
    assertEquals(List.of("for=127.0.0.1;proto=http;host=shop.example"), received.headers("Forwarded"));
  }

  @Test
  void duplicateEndToEndHeadersArriveInOrder() throws Exception {
    startGateway(List.of());
    RawHttp.exchange(
        gateway.port(), "GET / HTTP/1.1", "Host: a", "X-Tag: one", "X-Tag: two", "Accept: */*");

    assertEquals(List.of("one", "two"), upstream.lastRequest().headers("X-Tag"));
  }

  @Test
  void hostIsTheUpstreamAuthorityAndTheClientHostGoesToXForwardedHost() throws Exception {
    startGateway(List.of());
    RawHttp.exchange(gateway.port(), "GET /orders HTTP/1.1", "Host: shop.example:8443");

    Recorded received = upstream.lastRequest();
    assertEquals(List.of("127.0.0.1:" + upstream.port()), received.headers("Host"));
    assertEquals(List.of("shop.example:8443"), received.headers("X-Forwarded-Host"));
    assertEquals(List.of("http"), received.headers("X-Forwarded-Proto"));
    assertEquals(
        List.of("for=127.0.0.1;proto=http;host=\"shop.example:8443\""), received.headers("Forwarded"));
  }

  @Test
  void forwardingHeadersFromAnUntrustedPeerAreReplacedWithWhatTheGatewaySaw() throws Exception {
    startGateway(List.of("10.0.0.0/8", "::1/128"));
    RawHttp.exchange(
        gateway.port(),
        "GET / HTTP/1.1",
        "Host: shop.example",
        "X-Forwarded-For: 203.0.113.7",
        "X-Forwarded-For: 198.51.100.1",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: admin.internal",
        "Forwarded: for=203.0.113.7;proto=https");

    Recorded received = upstream.lastRequest();
    assertEquals(List.of("127.0.0.1"), received.headers("X-Forwarded-For"));
    assertEquals(List.of("http"), received.headers("X-Forwarded-Proto"));
    assertEquals(List.of("shop.example"), received.headers("X-Forwarded-Host"));
    assertEquals(List.of("for=127.0.0.1;proto=http;host=shop.example"), received.headers("Forwarded"));
  }

  @Test
  void forwardingHeadersFromATrustedPeerAreKeptAndAppendedTo() throws Exception {
    startGateway(List.of("127.0.0.0/8"));
    RawHttp.exchange(
        gateway.port(),
        "GET / HTTP/1.1",
        "Host: lb.internal",
        "X-Forwarded-For: 203.0.113.7",
        "X-Forwarded-For: 198.51.100.1",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: shop.example",
        "Forwarded: for=203.0.113.7;proto=https");

    Recorded received = upstream.lastRequest();
    assertEquals(List.of("203.0.113.7, 198.51.100.1, 127.0.0.1"), received.headers("X-Forwarded-For"));
    assertEquals(List.of("https"), received.headers("X-Forwarded-Proto"));
    assertEquals(List.of("shop.example"), received.headers("X-Forwarded-Host"));
    assertEquals(
        List.of("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=lb.internal"),
        received.headers("Forwarded"));
  }

  @Test
  void theTargetIsSentVerbatimAfterTheUpstreamBasePath() throws Exception {
    gateway =
        TestGateway.start(
            vertx,
            new gatehouse.config.UpstreamConfig(
                TestGateway.UPSTREAM, URI.create(upstream.url() + "/base/"),
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5), 4),
            new ForwardingConfig(List.of()),
            in -> new ProxyRequest(TestGateway.UPSTREAM, "/a%20b/c;v=1?x=1&y=%2F&x=2", h -> {}, Optional.empty(), 0, false));
    RawHttp.exchange(gateway.port(), "GET /whatever HTTP/1.1", "Host: a");

    assertEquals("/base/a%20b/c;v=1?x=1&y=%2F&x=2", upstream.lastRequest().target());
  }

  @Test
  void hopByHopHeadersAreRemovedFromTheResponse() throws Exception {
    startGateway(List.of());
    upstream.replyWith(
        Reply.status(200)
            .header("Connection", "X-Upstream-Hop")
            .header("X-Upstream-Hop", "internal")
            .header("Keep-Alive", "timeout=5")
            .header("Proxy-Authenticate", "Basic realm=x")
            .header("Trailer", "X-Checksum")
            .header("Upgrade", "example/1")
            .header("Set-Cookie", "a=1")
            .header("Set-Cookie", "b=2")
            .body("hello"));

    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET / HTTP/1.1", "Host: a");

    assertEquals(200, response.status());
    assertEquals("hello", response.text());
    for (String name : List.of("Keep-Alive", "Proxy-Authenticate", "Trailer", "Upgrade", "X-Upstream-Hop")) {
      assertEquals(List.of(), response.headers(name), name);
    }
    assertFalse(response.headers("Connection").stream().anyMatch(v -> v.contains("X-Upstream-Hop")));
    assertEquals(List.of("a=1", "b=2"), response.headers("Set-Cookie"));
    assertEquals(List.of("5"), response.headers("Content-Length"));
  }

  @Test
  void aResponseWithoutContentLengthIsRelayedChunked() throws Exception {
    startGateway(List.of());
    upstream.replyWith(Reply.generated(100_000).chunked());

    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET / HTTP/1.1", "Host: a");

    assertEquals(List.of("chunked"), response.headers("Transfer-Encoding"));
    assertEquals(100_000, response.body().length);
    assertEquals(UpstreamRecorder.GeneratedBody.ofSize(100_000).sha256(), sha256(response.body()));
  }

  @Test
  void headAnd204And304AreRelayedWithoutABody() throws Exception {
    startGateway(List.of());
    upstream.replyWith(Reply.status(200).header("Content-Length", "1234"));
    RawHttp.Response head = RawHttp.exchange(gateway.port(), "HEAD / HTTP/1.1", "Host: a");
    assertEquals(200, head.status());
    assertEquals(List.of("1234"), head.headers("Content-Length"));
    assertEquals("HEAD", upstream.lastRequest().method());

    for (int status : new int[] {204, 304}) {
      upstream.replyWith(Reply.status(status).header("ETag", "\"v1\""));
      try (RawHttp http = new RawHttp(gateway.port())) {
        http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttp.Response response = http.read(true);
        assertEquals(status, response.status());
        assertEquals(List.of("\"v1\""), response.headers("ETag"));
        assertEquals(List.of(), response.headers("Transfer-Encoding"));
        // The connection is still in step: a second request on it gets its own answer.
        upstream.replyWith(Reply.status(200).body("next"));
        http.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("next", http.read(true).text());
      }
    }
  }

  static String sha256(byte[] bytes) {
    UpstreamRecorder.Sha256 sha = new UpstreamRecorder.Sha256();
    sha.update(io.vertx.core.buffer.Buffer.buffer(bytes));
    return sha.hex();
  }

  @Test
  void aPlainRequestNeverCarriesAnUpgrade() throws Exception {
    startGateway(List.of());
    RawHttp.exchange(
        gateway.port(),
        "GET /chat HTTP/1.1",
        "Host: a",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");

    Recorded received = upstream.lastRequest();
    assertEquals(List.of(), received.headers("Upgrade"));
    assertEquals(List.of(), received.headers("Connection"));
    assertTrue(received.header("Sec-WebSocket-Key").isPresent());
  }
}
