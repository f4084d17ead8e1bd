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
    gw = GatewayHarness.start("limits: {max_request_line: 1KiB, max_header_size: 2KiB}", "");
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

  static Stream<Arguments> refused() {
    String host = "Host: gw.example";
    return Stream.of(
        // Host: RFC 9112 section 3.2 (exactly one, valid), RFC 3986 section 3.2.2 (its syntax)
        row("9112 3.2: HTTP/1.1 without Host", 400, "bad_host", head("GET PATH HTTP/1.1")),
        row("9112 3.2: two Host fields", 400, "bad_host", head("GET PATH HTTP/1.1", host, host)),
        row("9112 3.2: two Host fields, differing", 400, "bad_host", head("GET PATH HTTP/1.1", host, "Host: other.example")),
        row("9112 3.2: Host list a, b", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: a.example, b.example")),
        row("9112 3.2, stricter: Host list a,b", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: a.example,b.example")),
        row("9112 3.2: Host a b", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: a.example b.example")),
        row("9112 3.2: Host with a tab inside", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: a.example\tb")),
        row("9110 4.2.1: empty Host (http URIs have a host)", 400, "bad_host", head("GET PATH HTTP/1.1", "Host:")),
        row("9110 4.2.1: Host of only spaces", 400, "bad_host", head("GET PATH HTTP/1.1", "Host:   ")),
        row("3986 3.2.2: port without host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: :80")),
        row("9110 4.2.4: userinfo in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: user@gw.example")),
        row("9110 4.2.4: userinfo with password", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: u:p@gw.example")),
        row("3986 3.2.3: empty port", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:")),
        row("3986 3.2.3: port not digits", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:http")),
        row("3986 3.2.3: port signed", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:+80")),
        row("3986 3.2.3: port above 65535", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:65536")),
        row("3986 3.2.3: port of 6 digits", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:000080")),
        row("3986 3.2.3: two ports", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example:80:81")),
        row("3986 3.2.2: path in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example/admin")),
        row("3986 3.2.2: query in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example?x")),
        row("3986 3.2.2: fragment in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example#x")),
        row("3986 3.2.2: backslash in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example\\x")),
        row("3986 3.2.2: quote in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: \"gw.example\"")),
        row("3986 3.2.2, stricter: percent-encoding in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw%2Eexample")),
        row("7239 4, stricter: ; in Host would split Forwarded", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: gw.example;for=1.2.3.4")),
        row("7239 4, stricter: = in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: a=b")),
        row("3986 3.2.2: non-ASCII in Host", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: g\u00e9.example")),
        row("3986 3.2.2: unclosed IP-literal", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [::1")),
        row("3986 3.2.2: IP-literal not IPv6", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [gw.example]")),
        row("3986 3.2.2: IPv6 with two ::", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [1::2::3]")),
        row("3986 3.2.2: IPv6 with nine groups", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [1:2:3:4:5:6:7:8:9]")),
        row("3986 3.2.2: IPv6 group of five digits", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [12345::1]")),
        row("3986 3.2.2: IPv6 without brackets", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: ::1")),
        row("3986 3.2.2: text after IP-literal", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [::1]x")),
        row("9844: IPv6 zone id", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [fe80::1%25eth0]")),
        row("3986 3.2.2: IPvFuture (none is defined)", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: [v1.gw]")),
        row("3986 7.4: short IPv4 127.1", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: 127.1")),
        row("3986 7.4: IPv4 octet above 255", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: 256.0.0.1")),
        row("3986 7.4: IPv4 leading zero (octal)", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: 0127.0.0.1")),
        row("3986 7.4: IPv4 in hex", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: 0x7f.0.0.1")),
        row("3986 7.4: five numeric labels", 400, "bad_host", head("GET PATH HTTP/1.1", "Host: 1.2.3.4.5")),
        row("9112 3.2: invalid Host in HTTP/1.0 too", 400, "bad_host", head("GET PATH HTTP/1.0", "Host: a.example, b.example")),
        row("9112 3.2: two Host fields in HTTP/1.0", 400, "bad_host", head("GET PATH HTTP/1.0", host, host)),
        row("9112 3.2.2: absolute-form and a different Host", 400, "absolute_form_host_mismatch",
            head("GET http://other.examplePATH HTTP/1.1", host)),
        row("9112 3.2.2: absolute-form with userinfo", 400, "unsupported_target_form",
            head("GET http://u@gw.examplePATH HTTP/1.1", host)),
        row("9112 3.2.2: absolute-form and an invalid Host", 400, "bad_host",
            head("GET http://gw.examplePATH HTTP/1.1", "Host: gw.example, x")),
        row("9112 3.2.3: authority-form outside CONNECT", 400, "unsupported_target_form", head("GET gw.example:80 HTTP/1.1", host)),
        row("9112 3.2.4: asterisk-form", 400, "unsupported_target_form", head("OPTIONS * HTTP/1.1", host)),

        // Framing: RFC 9112 section 6
        row("9112 6.3: Transfer-Encoding and Content-Length", 400, "ambiguous_framing",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: chunked", "Content-Length: 5")),
        row("9112 6.3: Content-Length and Transfer-Encoding", 400, "ambiguous_framing",
            head("POST PATH HTTP/1.1", host, "Content-Length: 5", "Transfer-Encoding: chunked")),
        row("9112 6.3: two Content-Length, same", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Content-Length: 5", "Content-Length: 5")),
        row("9112 6.3: two Content-Length, differing", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Content-Length: 5", "Content-Length: 6")),
        row("9112 6.3: Content-Length list", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: 5, 5")),
        row("9110 8.6: Content-Length not digits", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: abc")),
        row("9110 8.6: Content-Length signed +", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: +5")),
        row("9110 8.6: Content-Length negative", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: -1")),
        row("9110 8.6: Content-Length hex", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: 0x5")),
        row("9110 8.6: Content-Length with a space inside", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length: 1 2")),
        row("9110 8.6: Content-Length overflowing a long", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Content-Length: 99999999999999999999")),
        row("9110 8.6: empty Content-Length", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Content-Length:")),
        row("9112 6.3: Transfer-Encoding final coding not chunked", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: gzip")),
        row("9112 6.3: Transfer-Encoding chunked, gzip", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: chunked, gzip")),
        row("stricter, as Envoy (501): Transfer-Encoding gzip, chunked", 400, "ambiguous_framing",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: gzip, chunked")),
        row("9112 6.1: Transfer-Encoding chunked twice", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked")),
        row("9112 6.1: Transfer-Encoding unknown coding", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding: xchunked")),
        row("9112 6.1: empty Transfer-Encoding", 400, "malformed_request", head("POST PATH HTTP/1.1", host, "Transfer-Encoding:")),
        row("9112 6.1: Transfer-Encoding in HTTP/1.0", 400, "malformed_request",
            head("POST PATH HTTP/1.0", host, "Transfer-Encoding: chunked") + "0\r\n\r\n"),
        row("9112 6.1: Transfer-Encoding and Content-Length in HTTP/1.0", 400, "malformed_request",
            head("POST PATH HTTP/1.0", host, "Transfer-Encoding: chunked", "Content-Length: 0")),

        // Field syntax: RFC 9112 section 5, RFC 9110 section 5
        row("9112 5.1: whitespace between field name and colon", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A : b")),
        row("9112 5.1: tab between field name and colon", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A\t: b")),
        row("9112 5.1: space before colon on Host", 400, "malformed_request", head("GET PATH HTTP/1.1", "Host : gw.example")),
        row("9112 5.1: space before colon on Transfer-Encoding", 400, "malformed_request",
            head("POST PATH HTTP/1.1", host, "Transfer-Encoding : chunked")),
        row("9112 2.2: whitespace before the first field", 400, "malformed_request", head("GET PATH HTTP/1.1", " X-A: b", host)),
        row("9110 5.1: space inside a field name", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X A: b")),
        row("9110 5.1: empty field name", 400, "malformed_request", head("GET PATH HTTP/1.1", host, ": b")),
        row("9110 5.1: separator in a field name", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A(: b")),
        row("9110 5.1: line without a colon", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A b")),
        row("9110 5.5: NUL in a field value", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A: a\u0000b")),
        row("9110 5.5: bare CR in a field value", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A: a\rb")),
        row("9110 5.5: control character in a field value", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A: a\u0001b")),
        row("9110 5.5: DEL in a field value", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X-A: a\u007fb")),
        row("9112 2.2: bare LF ending a field line", 400, "malformed_request", "GET PATH HTTP/1.1\r\n" + host + "\r\nX-A: b\nX-B: c\r\n\r\n"),
        row("9112 2.2: bare LF ending the head", 400, "malformed_request", "GET PATH HTTP/1.1\n" + host + "\n\n"),
        row("9110 5.1: NUL in a field name", 400, "malformed_request", head("GET PATH HTTP/1.1", host, "X\u0000A: b")),

        // Request line: RFC 9112 section 3
        row("9112 3: trailing space after the version", 400, "malformed_request", head("GET PATH HTTP/1.1 ", host)),
        row("9112 3: space inside the target", 400, "malformed_request", head("GET PATH/a b HTTP/1.1", host)),
        row("9112 2.3: lower-case HTTP-name (501 from Vert.x)", 501, null, head("GET PATH http/1.1", host)),
        row("9112 2.3: version not digit.digit (501 from Vert.x)", 501, null, head("GET PATH HTTP/1.10", host)),
        row("9112 3: no version (HTTP/0.9)", 400, "malformed_request", "GET PATH\r\n\r\n"),
        row("9110 9.1: separator in the method", 400, "malformed_request", head("G(T PATH HTTP/1.1", host)),
        row("9112 3: NUL in the target", 400, "invalid_character", head("GET PATH\u0000 HTTP/1.1", host)),

        // Lengths: RFC 9110 section 15.5.15, RFC 6585 section 5
        row("9110 15.5.15: request line over max_request_line", 414, "request_line_too_long",
            head("GET PATH/" + "a".repeat(1100) + " HTTP/1.1", host)),
        row("6585 5: header block over max_header_size", 431, "headers_too_large",
            head("GET PATH HTTP/1.1", host, "X-Big: " + "a".repeat(2100))),
        row("6585 5: many small fields over max_header_size", 431, "headers_too_large",
            head(Stream.concat(Stream.of("GET PATH HTTP/1.1", host),
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
    String host = "Host: gw.example";
    return Stream.of(
        Arguments.of("9112 5.2: obs-fold", head("GET PATH HTTP/1.1", host, "X-A: b", " c"), "b c"),
        Arguments.of("9112 5.2: obs-fold with a tab", head("GET PATH HTTP/1.1", host, "X-A: b", "\tc"), "b c"),
        Arguments.of("9112 3: two spaces after the method", head("GET  PATH HTTP/1.1", host, "X-A: b"), "b"),
        Arguments.of("9112 3: two spaces before the version", head("GET PATH  HTTP/1.1", host, "X-A: b"), "b"),
        Arguments.of("9112 3: tabs as separators", head("GET\tPATH\tHTTP/1.1", host, "X-A: b"), "b"),
        Arguments.of("9112 3: leading space before the method", head(" GET PATH HTTP/1.1", host, "X-A: b"), "b"));
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
