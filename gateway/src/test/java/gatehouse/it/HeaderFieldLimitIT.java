package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.TestPki;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code limits.max_header_fields} (here 20) on each way a request head reaches the gateway: an
 * HTTP/1 head with one field too many is refused with 431 as that field is read, before the head
 * ends (a head that never ends would otherwise hold its fields, about 30 times their bytes in heap,
 * until {@code header_read_timeout}), on a cleartext listener, on one with {@code h2c} (where
 * Vert.x sets up its HTTP/1 decoder only once the first bytes arrive) and over TLS (set up after
 * the handshake); an HTTP/2 request with too many fields gets 431 too.
 */
class HeaderFieldLimitIT {
  private static final int LIMIT = 20;
  private static final String LIMITS = "limits: {max_header_fields: " + LIMIT + ", header_read_timeout: 30s}";

  @TempDir
  static Path dir;

  private static GatewayHarness plain;
  private static GatewayHarness h2c;
  private static Vertx vertx;
  private static UpstreamRecorder tlsUpstream;
  private static Gatehouse tls;
  private static SSLContext trustingEdge;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> plain.upstream);

  enum Listener { CLEARTEXT, H2C, TLS }

  @BeforeAll
  static void start() throws Exception {
    plain = GatewayHarness.start(LIMITS, "", false);
    h2c = GatewayHarness.start(LIMITS, "", true);
    plain.upstream.replyWith(Reply.echo());
    h2c.upstream.replyWith(Reply.echo());
    vertx = TestVertx.create();
    tlsUpstream = UpstreamRecorder.start(vertx);
    TestPki.Ca edge = TestPki.ca("Edge CA");
    TestPki.Issued server = edge.server("localhost").write(dir, "server");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("edge", server.issuer());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    trustingEdge = SSLContext.getInstance("TLS");
    trustingEdge.init(null, trust.getTrustManagers(), null);
    Path config = dir.resolve("tls.yaml");
    Files.writeString(config, String.join("\n",
        "listen: {host: 127.0.0.1, port: 0, tls: {cert: server.pem, key: server-key.pem}}",
        "admin: {host: 127.0.0.1, port: 0}",
        "upstreams:",
        "  app: {url: \"" + tlsUpstream.url() + "\"}",
        LIMITS,
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {match: {prefix: /}, upstream: app, policy: public}",
        ""));
    tls = await(Gatehouse.start(ConfigLoader.load(config), Clock.systemUTC(), vertx, false));
  }

  @AfterAll
  static void stop() {
    if (tls != null) await(tls.close());
    if (tlsUpstream != null) tlsUpstream.close();
    if (vertx != null) await(vertx.close());
    if (h2c != null) h2c.close();
    if (plain != null) plain.close();
  }

  /** A GET to {@code /api/public/fields} with Host and {@code fields - 1} more fields, without the blank line that ends it. */
  private static String unfinishedHead(int fields) {
    return "GET /api/public/fields HTTP/1.1\r\nHost: gw.example\r\n"
        + IntStream.range(1, fields).mapToObj(i -> "X-F" + i + ": v\r\n").collect(Collectors.joining());
  }

  private static Socket connect(Listener listener) throws IOException {
    return switch (listener) {
      case CLEARTEXT -> new Socket("127.0.0.1", plain.gateway.port());
      case H2C -> new Socket("127.0.0.1", h2c.gateway.port());
      case TLS -> {
        SSLSocket s = (SSLSocket) trustingEdge.getSocketFactory().createSocket("127.0.0.1", tls.port());
        s.startHandshake();
        yield s;
      }
    };
  }

  /** Writes {@code bytes} and reads the status line of the answer; the connection is left open, as a client that never ends its head would. */
  private static String statusLine(Socket s, String bytes) throws IOException {
    s.setSoTimeout(10_000);
    s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
  }

  @ParameterizedTest
  @EnumSource(Listener.class)
  void aHeadWithOneFieldTooManyIsRefusedBeforeItEnds(Listener listener) throws IOException {
    try (Socket s = connect(listener)) {
      assertEquals("HTTP/1.1 431 Request Header Fields Too Large", statusLine(s, unfinishedHead(LIMIT + 1)));
    }
  }

  @ParameterizedTest
  @EnumSource(Listener.class)
  void eachHeadOnAConnectionMayHaveAsManyFieldsAsTheLimit(Listener listener) throws IOException {
    try (Socket s = connect(listener)) {
      s.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      for (int request = 0; request < 3; request++) {
        s.getOutputStream().write((unfinishedHead(LIMIT) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        assertEquals("HTTP/1.1 200 OK", in.readLine(), "request " + request);
        int length = -1;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
          if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(line.substring(15).strip());
        }
        assertTrue(length >= 0, "a Content-Length");
        for (int i = 0; i < length; i++) in.read();
      }
    }
  }

  @Test
  void anHttp2RequestWithTooManyFieldsGets431() {
    HttpClient client = h2c.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      assertEquals(200, http2Get(client, LIMIT - 8));
      assertEquals(431, http2Get(client, LIMIT + 1));
    } finally {
      await(client.close());
    }
  }

  private static int http2Get(HttpClient client, int fields) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(h2c.gateway.port())
        .setURI("/api/public/fields");
    for (int i = 0; i < fields; i++) options.addHeader("x-f" + i, "v");
    return await(client.request(options).compose(r -> r.send()).map(r -> r.statusCode()));
  }
}
