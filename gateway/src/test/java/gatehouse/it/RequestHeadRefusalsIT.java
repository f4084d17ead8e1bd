package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.testing.UpstreamRecorder.Reply;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What RFC 9110 and RFC 9112 say a server MUST refuse, one raw request per row, sent on a socket
 * exactly as written: each row names its clause, the status and code the client gets, and the
 * upstream never sees the request. Rows marked "stricter" are requests RFC 3986's grammar or the
 * RFC would let a server accept; the gateway refuses them (the reason is in {@code HostHeader} and
 * the README's table).
 */
class RequestHeadRefusalsIT {
  private static final AtomicInteger ROW = new AtomicInteger();
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("limits: {max_request_line: 1KiB, max_header_size: 2KiB, header_read_timeout: 2s}", "");
    gw.upstream.replyWith(Reply.echo());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** {@code lines} joined by CRLF, ended by the blank line. */
  private static String head(String... lines) {
    return String.join("\r\n", lines) + "\r\n\r\n";
  }

  /** A row: {@code rfc} is the clause, {@code request} the bytes with {@code PATH} for the row's own path. */
  private static Arguments row(String rfc, int status, String code, String request) {
    return Arguments.of(rfc, status, code, request);
  }

  private static final String HOST = "Host: gw.example";

  /** A GET to the row's path with a valid Host, then {@code fields}. */
  private static String get(String... fields) {
    return head(Stream.concat(Stream.of("GET PATH HTTP/1.1", HOST), Stream.of(fields)).toArray(String[]::new));
  }

  /** A POST to the row's path with a valid Host, then {@code fields}; no body is sent. */
  private static String post(String... fields) {
    return head(Stream.concat(Stream.of("POST PATH HTTP/1.1", HOST), Stream.of(fields)).toArray(String[]::new));
  }

  /** An HTTP/1.1 GET whose only Host is {@code value}: 400 {@code bad_host}. */
  private static Arguments badHost(String rfc, String value) {
    return row(rfc, 400, "bad_host", head("GET PATH HTTP/1.1", "Host: " + value));
  }

  /** Refused by the HTTP decoder: 400 {@code malformed_request}. */
  private static Arguments malformed(String rfc, String request) {
    return row(rfc, 400, "malformed_request", request);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        // Host: RFC 9112 section 3.2 (exactly one, valid), RFC 3986 section 3.2.2 (its syntax)
        row("9112 3.2: HTTP/1.1 without Host", 400, "bad_host", head("GET PATH HTTP/1.1")),
        row("9112 3.2: two Host fields", 400, "bad_host", get(HOST)),
        row("9112 3.2: two Host fields, differing", 400, "bad_host", get("Host: other.example")),
        badHost("9112 3.2: Host list a, b", "a.example, b.example"),
        badHost("9112 3.2, stricter: Host list a,b", "a.example,b.example"),
        badHost("9112 3.2: Host a b", "a.example b.example"),
        badHost("9112 3.2: Host with a tab inside", "a.example\tb"),
        row("9110 4.2.1: empty Host (http URIs have a host)", 400, "bad_host", head("GET PATH HTTP/1.1", "Host:")),
        badHost("9110 4.2.1: Host of only spaces", "  "),
        badHost("3986 3.2.2: port without host", ":80"),
        badHost("9110 4.2.4: userinfo in Host", "user@gw.example"),
        badHost("9110 4.2.4: userinfo with password", "u:p@gw.example"),
        badHost("3986 3.2.3: empty port", "gw.example:"),
        badHost("3986 3.2.3: port not digits", "gw.example:http"),
        badHost("3986 3.2.3: port signed", "gw.example:+80"),
        badHost("3986 3.2.3: port above 65535", "gw.example:65536"),
        badHost("3986 3.2.3: port of 6 digits", "gw.example:000080"),
        badHost("3986 3.2.3: two ports", "gw.example:80:81"),
        badHost("3986 3.2.2: path in Host", "gw.example/admin"),
        badHost("3986 3.2.2: query in Host", "gw.example?x"),
        badHost("3986 3.2.2: fragment in Host", "gw.example#x"),
        badHost("3986 3.2.2: backslash in Host", "gw.example\\x"),
        badHost("3986 3.2.2: quote in Host", "\"gw.example\""),
        badHost("3986 3.2.2, stricter: percent-encoding in Host", "gw%2Eexample"),
        badHost("7239 4, stricter: ; in Host would split Forwarded", "gw.example;for=1.2.3.4"),
        badHost("7239 4, stricter: = in Host", "a=b"),
        badHost("3986 3.2.2: non-ASCII in Host", "g\u00e9.example"),
        badHost("3986 3.2.2: unclosed IP-literal", "[::1"),
        badHost("3986 3.2.2: IP-literal not IPv6", "[gw.example]"),
        badHost("3986 3.2.2: IPv6 with two ::", "[1::2::3]"),
        badHost("3986 3.2.2: IPv6 with nine groups", "[1:2:3:4:5:6:7:8:9]"),
        badHost("3986 3.2.2: IPv6 group of five digits", "[12345::1]"),
        badHost("3986 3.2.2: IPv6 without brackets", "::1"),
        badHost("3986 3.2.2: text after IP-literal", "[::1]x"),
        badHost("9844: IPv6 zone id", "[fe80::1%25eth0]"),
        badHost("3986 3.2.2: IPvFuture (none is defined)", "[v1.gw]"),
        badHost("3986 7.4: short IPv4 127.1", "127.1"),
        badHost("3986 7.4: IPv4 octet above 255", "256.0.0.1"),
        badHost("3986 7.4: IPv4 leading zero (octal)", "0127.0.0.1"),
        badHost("3986 7.4: IPv4 in hex", "0x7f.0.0.1"),
        badHost("3986 7.4: five numeric labels", "1.2.3.4.5"),
        row("9112 3.2: invalid Host in HTTP/1.0 too", 400, "bad_host", head("GET PATH HTTP/1.0", "Host: a.example, b.example")),
        row("9112 3.2: two Host fields in HTTP/1.0", 400, "bad_host", head("GET PATH HTTP/1.0", HOST, HOST)),
        row("9112 3.2.2: absolute-form and a different Host", 400, "absolute_form_host_mismatch",
            head("GET http://other.examplePATH HTTP/1.1", HOST)),
        row("9112 3.2.2: absolute-form with userinfo", 400, "unsupported_target_form",
            head("GET http://u@gw.examplePATH HTTP/1.1", HOST)),
        row("9112 3.2.2: absolute-form and an invalid Host", 400, "bad_host",
            head("GET http://gw.examplePATH HTTP/1.1", "Host: gw.example, x")),
        row("9112 3.2.3: authority-form outside CONNECT", 400, "unsupported_target_form", head("GET gw.example:80 HTTP/1.1", HOST)),
        row("9112 3.2.4: asterisk-form", 400, "unsupported_target_form", head("OPTIONS * HTTP/1.1", HOST)),

        // Framing: RFC 9112 section 6
        row("9112 6.3: Transfer-Encoding and Content-Length", 400, "ambiguous_framing",
            post("Transfer-Encoding: chunked", "Content-Length: 5")),
        row("9112 6.3: Content-Length and Transfer-Encoding", 400, "ambiguous_framing",
            post("Content-Length: 5", "Transfer-Encoding: chunked")),
        malformed("9112 6.3: two Content-Length, same",
            post("Content-Length: 5", "Content-Length: 5")),
        malformed("9112 6.3: two Content-Length, differing",
            post("Content-Length: 5", "Content-Length: 6")),
        malformed("9112 6.3: Content-Length list", post("Content-Length: 5, 5")),
        malformed("9110 8.6: Content-Length not digits", post("Content-Length: abc")),
        malformed("9110 8.6: Content-Length signed +", post("Content-Length: +5")),
        malformed("9110 8.6: Content-Length negative", post("Content-Length: -1")),
        malformed("9110 8.6: Content-Length hex", post("Content-Length: 0x5")),
        malformed("9110 8.6: Content-Length with a space inside", post("Content-Length: 1 2")),
        malformed("9110 8.6: Content-Length overflowing a long",
            post("Content-Length: 99999999999999999999")),
        malformed("9110 8.6: empty Content-Length", post("Content-Length:")),
        malformed("9112 6.3: Transfer-Encoding final coding not chunked",
            post("Transfer-Encoding: gzip")),
        malformed("9112 6.3: Transfer-Encoding chunked, gzip",
            post("Transfer-Encoding: chunked, gzip")),
        row("stricter, as Envoy (501): Transfer-Encoding gzip, chunked", 400, "ambiguous_framing",
            post("Transfer-Encoding: gzip, chunked")),
        malformed("9112 6.1: Transfer-Encoding chunked twice",
            post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked")),
        malformed("9112 6.1: Transfer-Encoding unknown coding",
            post("Transfer-Encoding: xchunked")),
        malformed("9112 6.1: empty Transfer-Encoding", post("Transfer-Encoding:")),
        malformed("9112 6.1: Transfer-Encoding in HTTP/1.0",
            head("POST PATH HTTP/1.0", HOST, "Transfer-Encoding: chunked") + "0\r\n\r\n"),
        malformed("9112 6.1: Transfer-Encoding and Content-Length in HTTP/1.0",
            head("POST PATH HTTP/1.0", HOST, "Transfer-Encoding: chunked", "Content-Length: 0")),

        // Field syntax: RFC 9112 section 5, RFC 9110 section 5
        malformed("9112 5.1: whitespace between field name and colon", get("X-A : b")),
        malformed("9112 5.1: tab between field name and colon", get("X-A\t: b")),
        malformed("9112 5.1: space before colon on Host", head("GET PATH HTTP/1.1", "Host : gw.example")),
        malformed("9112 5.1: space before colon on Transfer-Encoding",
            post("Transfer-Encoding : chunked")),
        malformed("9112 2.2: whitespace before the first field", head("GET PATH HTTP/1.1", " X-A: b", HOST)),
        malformed("9110 5.1: space inside a field name", get("X A: b")),
        malformed("9110 5.1: empty field name", get(": b")),
        malformed("9110 5.1: separator in a field name", get("X-A(: b")),
        malformed("9110 5.1: line without a colon", get("X-A b")),
        malformed("9110 5.5: NUL in a field value", get("X-A: a\u0000b")),
        malformed("9110 5.5: bare CR in a field value", get("X-A: a\rb")),
        malformed("9110 5.5: control character in a field value", get("X-A: a\u0001b")),
        malformed("9110 5.5: DEL in a field value", get("X-A: a\u007fb")),
        malformed("9112 2.2: bare LF ending a field line", "GET PATH HTTP/1.1\r\n" + HOST + "\r\nX-A: b\nX-B: c\r\n\r\n"),
        malformed("9112 2.2: bare LF ending the head", "GET PATH HTTP/1.1\n" + HOST + "\n\n"),
        malformed("9110 5.1: NUL in a field name", get("X\u0000A: b")),

        // Request line: RFC 9112 section 3
        malformed("9112 3: trailing space after the version", head("GET PATH HTTP/1.1 ", HOST)),
        malformed("9112 3: space inside the target", head("GET PATH/a b HTTP/1.1", HOST)),
        row("9112 2.3: lower-case HTTP-name (501 from Vert.x)", 501, null, head("GET PATH http/1.1", HOST)),
        row("9112 2.3: version not digit.digit (501 from Vert.x)", 501, null, head("GET PATH HTTP/1.10", HOST)),
        malformed("9112 3: no version (HTTP/0.9)", "GET PATH\r\n\r\n"),
        malformed("9110 9.1: separator in the method", head("G(T PATH HTTP/1.1", HOST)),
        row("9112 3: NUL in the target", 400, "invalid_character", head("GET PATH\u0000 HTTP/1.1", HOST)),

        // Lengths: RFC 9110 section 15.5.15, RFC 6585 section 5
        row("9110 15.5.15: request line over max_request_line", 414, "request_line_too_long",
            head("GET PATH/" + "a".repeat(1100) + " HTTP/1.1", HOST)),
        row("6585 5: header block over max_header_size", 431, "headers_too_large",
            get("X-Big: " + "a".repeat(2100))),
        row("6585 5: many small fields over max_header_size", 431, "headers_too_large",
            head(Stream.concat(Stream.of("GET PATH HTTP/1.1", HOST),
                Stream.generate(() -> "X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa").limit(100)).toArray(String[]::new))));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("refused")
  void isRefusedBeforeTheUpstream(String rfc, int status, String code, String request) throws IOException {
    String path = "/api/public/row-" + ROW.incrementAndGet();
    int before = gw.upstream.requests().size();
    RawHttp.Response response;
    try (RawHttp http = new RawHttp(gw.port())) {
      http.send(request.replace("PATH", path));
      response = http.read(true);
    }
    assertEquals(status, response.status(), rfc + ": " + response.text());
    if (code != null) {
      assertEquals(code, new JsonObject(response.text()).getString("error"), rfc);
    }
    List<UpstreamRecorder.Recorded> seen = gw.upstream.requests();
    assertFalse(seen.subList(before, seen.size()).stream().anyMatch(r -> r.target().contains("/row-")),
        rfc + ": the upstream saw " + seen.subList(before, seen.size()));
  }

  /**
   * What RFC 9112 lets a server accept and the gateway does, because the upstream gets a request
   * line and fields the gateway writes itself, so no second reading of the client's bytes exists:
   * obs-fold replaced by SP (section 5.2 allows that instead of 400, as HAProxy does), and a request
   * line split on any run of whitespace (section 3, "MAY", as nginx and HAProxy do). Each row: the
   * request, then the value the upstream sees for {@code X-A}.
   */
  static Stream<Arguments> tolerated() {
    return Stream.of(
        Arguments.of("9112 5.2: obs-fold", get("X-A: b", " c"), "b c"),
        Arguments.of("9112 5.2: obs-fold with a tab", get("X-A: b", "\tc"), "b c"),
        Arguments.of("9112 3: two spaces after the method", head("GET  PATH HTTP/1.1", HOST, "X-A: b"), "b"),
        Arguments.of("9112 3: two spaces before the version", head("GET PATH  HTTP/1.1", HOST, "X-A: b"), "b"),
        Arguments.of("9112 3: tabs as separators", head("GET\tPATH\tHTTP/1.1", HOST, "X-A: b"), "b"),
        Arguments.of("9112 3: leading space before the method", head(" GET PATH HTTP/1.1", HOST, "X-A: b"), "b"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tolerated")
  void isForwardedInItsOneReading(String rfc, String request, String value) throws IOException {
    String path = "/api/public/tolerated-" + ROW.incrementAndGet();
    try (RawHttp http = new RawHttp(gw.port())) {
      http.send(request.replace("PATH", path));
      assertEquals(200, http.read(true).status(), rfc);
    }
    UpstreamRecorder.Recorded seen = gw.upstream.lastRequest();
    assertEquals("GET", seen.method(), rfc);
    assertEquals(path, seen.target(), rfc);
    assertEquals(List.of(value), seen.headers("X-A"), rfc);
  }

  static Stream<Arguments> acceptedHosts() {
    return Stream.of(
        Arguments.of("gw.example", "gw.example"),
        Arguments.of("GW.Example:8080", "GW.Example:8080"),
        Arguments.of("gw.example.", "gw.example."),
        Arguments.of("under_score-dash~tilde.example", "under_score-dash~tilde.example"),
        Arguments.of("xn--bcher-kva.example", "xn--bcher-kva.example"),
        Arguments.of("localhost:1", "localhost:1"),
        Arguments.of("127.0.0.1:65535", "127.0.0.1:65535"),
        Arguments.of("0.0.0.0", "0.0.0.0"),
        Arguments.of("1.2.3.example", "1.2.3.example"),
        Arguments.of("[::1]", "[::1]"),
        Arguments.of("[::1]:8443", "[::1]:8443"),
        Arguments.of("[2001:DB8::a:b]", "[2001:DB8::a:b]"),
        Arguments.of("[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8]"),
        Arguments.of("[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]"),
        Arguments.of("[1::]", "[1::]"),
        Arguments.of("  gw.example  ", "gw.example"));
  }

  /** The other side of the table: valid hosts pass, and reach the upstream as sent, in X-Forwarded-Host. */
  @ParameterizedTest(name = "[{index}] Host: {0}")
  @MethodSource("acceptedHosts")
  void aValidHostIsForwarded(String host, String forwarded) throws IOException {
    String path = "/api/public/host-" + ROW.incrementAndGet();
    RawHttp.Response response = RawHttp.exchange(gw.port(), "GET " + path + " HTTP/1.1", "Host: " + host, "Connection: close");
    assertEquals(200, response.status(), response.text());
    UpstreamRecorder.Recorded seen = gw.upstream.lastRequest();
    assertEquals(path, seen.target());
    assertEquals(Optional.of(forwarded), seen.header("X-Forwarded-Host"));
  }

  /**
   * A refusal of a head the decoder gave up on is an HTTP/1.1 reply (RFC 9110 section 2.5: the
   * server's own version), not the HTTP/1.0 of the placeholder request the decoder makes for it,
   * and it ends the connection.
   */
  @Test
  void aRequestLineTooLongIsRefusedInHttp11AndTheConnectionEnds() throws IOException {
    String reply = wholeReply(head("GET /api/public/" + "a".repeat(1100) + " HTTP/1.1", HOST));
    assertTrue(reply.startsWith("HTTP/1.1 414 "), reply);
    assertTrue(reply.contains("\r\nConnection: close\r\n"), reply);
    assertEquals("request_line_too_long", new JsonObject(reply.substring(reply.indexOf("\r\n\r\n") + 4)).getString("error"));
  }

  /**
   * A head not complete within {@code limits.header_read_timeout} gets 408 before the connection
   * closes, as Envoy answers a missed {@code request_headers_timeout}; before, it was closed without
   * a word. The upstream never sees the request.
   */
  @Test
  void aHeadNotCompleteInTimeGets408AndTheConnectionEnds() throws IOException {
    long started = System.nanoTime();
    String reply = wholeReply("GET /api/public/late-head HTTP/1.1\r\n" + HOST + "\r\n");
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(reply.startsWith("HTTP/1.1 408 "), reply);
    assertTrue(reply.contains("\r\nConnection: close\r\n"), reply);
    assertEquals("request_header_timeout", new JsonObject(reply.substring(reply.indexOf("\r\n\r\n") + 4)).getString("error"));
    assertTrue(tookMillis >= 1_900 && tookMillis < 5_000, "answered after " + tookMillis + " ms");
    assertFalse(gw.upstream.requests().stream().anyMatch(r -> r.target().contains("late-head")));
  }

  /** Sends {@code request} on a new connection and reads until the server closes it (at most 10 s). */
  private static String wholeReply(String request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), gw.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void anHttp10RequestWithoutHostIsForwardedWithoutAForwardedHost() throws IOException {
    RawHttp.Response response = RawHttp.exchange(gw.port(), "GET /api/public/http10 HTTP/1.0");
    assertEquals(200, response.status(), response.text());
    assertEquals(Optional.empty(), gw.upstream.lastRequest().header("X-Forwarded-Host"));
  }

  /**
   * RFC 9110 section 7.6.1 and RFC 7540 section 3.2: connection-specific fields never cross the
   * gateway, whether or not {@code Connection} names them; an end-to-end field does.
   */
  @Test
  void hopByHopFieldsAreDroppedWhenConnectionDoesNotNameThem() throws IOException {
    RawHttp.Response response = RawHttp.exchange(gw.port(), "GET /api/public/hop HTTP/1.1", "Host: gw.example",
        "Connection: keep-alive", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA", "Keep-Alive: timeout=5", "TE: trailers",
        "Trailer: X-T", "Upgrade: h2c", "Proxy-Connection: keep-alive", "Proxy-Authorization: Basic dTpw", "X-End-To-End: 1");
    assertEquals(200, response.status(), response.text());
    UpstreamRecorder.Recorded seen = gw.upstream.lastRequest();
    assertEquals("/api/public/hop", seen.target());
    for (String name : List.of("HTTP2-Settings", "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authorization")) {
      assertEquals(List.of(), seen.headers(name), name);
    }
    assertEquals(Optional.of("1"), seen.header("X-End-To-End"));
    assertTrue(seen.headers("Connection").stream().noneMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("http2-settings")));
  }
}
