package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.UpstreamRecorder.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code limits.buffer_body_total}: small bodies are read whole before an upstream connection is
 * taken only while all bodies being read so hold less than the total; past it, a small body
 * streams to the upstream at once, and the budget comes back when a buffered request ends. Here
 * one 1,000-byte body fills a total of 1 KiB.
 */
class BufferBudgetIT {
  private static GatewayHarness gw;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> gw.upstream);

  @BeforeAll
  static void start() {
    gw = GatewayHarness.start("limits: {buffer_body: 1KiB, buffer_body_total: 1KiB}", "");
    gw.upstream.replyWith(Reply.echo());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A POST of a 1,000-byte body of which only the first half is sent. */
  private static Socket halfSent(String path) throws IOException {
    Socket s = new Socket("127.0.0.1", gw.gateway.port());
    s.setSoTimeout(10_000);
    s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: gw.example\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(500))
        .getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  /** Sends the second half and reads the status line. */
  private static String finish(Socket s) throws IOException {
    s.getOutputStream().write("b".repeat(500).getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
  }

  /** Body bytes the upstream holds of requests not yet whole, once they stop changing for 300 ms. */
  private static long upstreamPartialBytes() throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 50; i++) {
      long now = gw.upstream.openRequestBodyBytes();
      if (now == last) return now;
      last = now;
      Thread.sleep(300);
    }
    return last;
  }

  @Test
  void aSmallBodyStreamsWhenTheBufferedOnesHoldTheTotalAndIsBufferedAgainOnceTheyEnd() throws Exception {
    try (Socket first = halfSent("/api/public/first"); Socket second = halfSent("/api/public/second")) {
      // The first is buffered and takes the whole total; the second streams: its 500 bytes reach the upstream.
      assertEquals(500, upstreamPartialBytes(), "the body past the total streams to the upstream at once");
      assertEquals("HTTP/1.1 200 OK", finish(first));
      assertEquals("HTTP/1.1 200 OK", finish(second));
    }
    assertEquals(0, upstreamPartialBytes());
    try (Socket third = halfSent("/api/public/third")) {
      assertEquals(0, upstreamPartialBytes(), "with the budget back, a small body is read whole first");
      assertEquals("HTTP/1.1 200 OK", finish(third));
    }
    assertTrue(gw.upstream.requests().size() >= 3);
  }
}
