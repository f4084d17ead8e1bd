package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow request bodies against an upstream of 4 connections: more slow small bodies than the pool
 * holds leave it to a canary, since they are read whole before a connection is taken ({@code
 * limits.buffer_body}); a body slower than {@code limits.body_timeout}, or below {@code
 * limits.body_min_rate}, gets 408 and gives its upstream connection back closed.
 */
class SlowBodiesIT {
  private static final int POOL = 4;
  private static final int SLOW_CLIENTS = 8;
  private static Vertx upstreamVertx;
  private static UpstreamRecorder tiny;
  private static GatewayHarness gw;

  @BeforeAll
  static void start() {
    upstreamVertx = TestVertx.create();
    tiny = UpstreamRecorder.start(upstreamVertx);
    gw = GatewayHarness.start(
        "  tiny: {url: \"" + tiny.url() + "\", timeout: 5s, connect_timeout: 1s, max_connections: " + POOL + "}",
        "limits: {body_timeout: 3s}",
        "  - {id: tiny, match: {prefix: /tiny/}, upstream: tiny, policy: public}",
        true);
  }

  @AfterAll
  static void stop() {
    try {
      gw.close();
    } finally {
      tiny.close();
      upstreamVertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /** A raw HTTP/1.1 POST to {@code target} that has sent its head and {@code firstBytes} of its body. */
  private static Socket slowPost(String target, String framing, String firstBytes) throws IOException {
    return slowPost(gw.port(), target, framing, firstBytes);
  }

  private static Socket slowPost(int port, String target, String framing, String firstBytes) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    String head = "POST " + target + " HTTP/1.1\r\nHost: gw.example\r\n" + framing + "\r\n\r\n";
    socket.getOutputStream().write((head + firstBytes).getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return socket;
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }

  /** Reads a response head from {@code socket}: the status line and fields, lower-cased. */
  private static String readHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed before a response head; got: " + head);
      head.append((char) b);
    }
    return head.toString().toLowerCase(Locale.ROOT);
  }

  /** A canary on the slow clients' upstream: 504 when it waited connect_timeout for a pooled connection. */
  private static void assertCanaryAnswered() {
    RawHttp.Response canary = RawHttp.get(gw.port(), "/tiny/canary");
    assertEquals(200, canary.status(), "canary on the slow clients' upstream");
  }

  /**
   * Opens {@link #SLOW_CLIENTS} slow small bodies named {@code name-i}, each with {@code framing}
   * and only {@code firstBytes} sent, into {@code slow}; then a canary on their upstream must be
   * answered at once, and no body byte may have reached the upstream.
   */
  private static void assertSlowSmallBodiesHoldNoConnection(List<Socket> slow, String name, String framing, String firstBytes)
      throws Exception {
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      slow.add(slowPost("/tiny/" + name + "-" + i, framing, firstBytes));
    }
    Thread.sleep(300);
    assertCanaryAnswered();
    assertEquals(0, tiny.openRequestBodyBytes(), "a slow body reached the upstream before it was complete");
  }

  @Test
  void smallSlowBodiesBeyondThePoolSizeHoldNoUpstreamConnection() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      assertSlowSmallBodiesHoldNoConnection(slow, "slow", "Content-Length: 1000", "0123456789");
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void smallSlowChunkedBodiesBeyondThePoolSizeHoldNoUpstreamConnection() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      assertSlowSmallBodiesHoldNoConnection(slow, "chunked", "Transfer-Encoding: chunked", "a\r\n0123456789\r\n");
      // The buffered body goes on whole, with its length, once its last chunk arrives.
      Socket first = slow.get(0);
      first.getOutputStream().write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertTrue(readHead(first).startsWith("http/1.1 200"));
      UpstreamRecorder.Recorded seen =
          tiny.requests().stream().filter(r -> r.target().equals("/tiny/chunked-0")).findFirst().orElseThrow();
      assertEquals(10, seen.bodyBytes());
      assertEquals(Optional.of("10"), seen.header("Content-Length"));
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void aStreamedBodySlowerThanTheDeadlineGets408AndItsConnectionIsFreed() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      // Larger than buffer_body, so each streams and holds a pooled connection while it is slow.
      for (int i = 0; i < POOL; i++) {
        slow.add(slowPost("/tiny/large-" + i, "Content-Length: 1048576", "0123456789"));
      }
      long started = System.nanoTime();
      for (Socket s : slow) {
        String head = readHead(s);
        assertTrue(head.startsWith("http/1.1 408"), head);
        assertTrue(head.contains("connection: close"), head);
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis >= 2_000 && millis < 6_000, "408 after " + millis + " ms");
      // The four connections came back closed, not dirty: every canary is answered.
      for (int i = 0; i < POOL + 1; i++) {
        assertCanaryAnswered();
      }
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void aChunkedBodyThatOutgrowsTheBufferStreamsAndGets408WhenTooSlow() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      int size = 80 << 10;
      String chunk = Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
      slow.add(slowPost("/tiny/outgrown", "Transfer-Encoding: chunked", chunk));
      long deadline = System.currentTimeMillis() + 2_000;
      while (tiny.openRequestBodyBytes() < size && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(size, tiny.openRequestBodyBytes(), "what was read before the body outgrew the buffer is forwarded");
      String head = readHead(slow.get(0));
      assertTrue(head.startsWith("http/1.1 408"), head);
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void aBodyBelowTheMinimumRateGets408BeforeTheDeadlineAndOneAboveItGoesThrough() throws Exception {
    try (GatewayHarness rated = GatewayHarness.start(
        "  tiny: {url: \"" + tiny.url() + "\", timeout: 5s, connect_timeout: 1s, max_connections: " + POOL + "}",
        "limits: {body_timeout: 60s, body_min_rate: 1KiB, body_min_rate_grace: 1s}",
        "  - {id: tiny, match: {prefix: /tiny/}, upstream: tiny, policy: public}",
        false)) {
      int size = 8 << 10;
      try (Socket steady = slowPost(rated.port(), "/tiny/steady", "Content-Length: " + size, "");
          Socket trickle = slowPost(rated.port(), "/tiny/trickle", "Content-Length: 1048576", "0123456789")) {
        long started = System.nanoTime();
        // 2 KiB every 500 ms is 4 KiB/s, above the rate; the trickle stays at 10 bytes.
        for (int sent = 0; sent < size; sent += 2048) {
          steady.getOutputStream().write("x".repeat(2048).getBytes(StandardCharsets.ISO_8859_1));
          Thread.sleep(500);
        }
        assertTrue(readHead(steady).startsWith("http/1.1 200"));
        String head = readHead(trickle);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(head.startsWith("http/1.1 408"), head);
        assertTrue(millis < 5_000, "408 after " + millis + " ms");
      }
    }
  }

  @Test
  void http2SlowStreamsBeyondThePoolSizeHoldNoUpstreamConnectionAndALargeOneGets408() {
    HttpClient h2 = gw.vertx.createHttpClient(
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    List<HttpClientRequest> streams = new ArrayList<>();
    try {
      for (int i = 0; i < SLOW_CLIENTS; i++) {
        HttpClientRequest request = await(h2.request(options(HttpMethod.POST, "/tiny/h2-" + i)));
        await(request.setChunked(true).write(Buffer.buffer("0123456789")));
        streams.add(request);
      }
      int canary = await(h2.request(options(HttpMethod.GET, "/tiny/canary"))
          .compose(r -> r.send().compose(response -> response.body().map(b -> response.statusCode()))));
      assertEquals(200, canary);
      assertEquals(0, tiny.openRequestBodyBytes(), "a slow body reached the upstream before it was complete");

      HttpClientRequest large = await(h2.request(options(HttpMethod.POST, "/tiny/h2-large")));
      Future<Integer> status = large.response().map(r -> r.statusCode());
      await(large.setChunked(true).write(Buffer.buffer("x".repeat(80 << 10))));
      assertEquals(408, await(status));
    } finally {
      streams.forEach(s -> s.reset());
      await(h2.close());
    }
  }

  private static RequestOptions options(HttpMethod method, String uri) {
    return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gw.port()).setURI(uri);
  }
}
