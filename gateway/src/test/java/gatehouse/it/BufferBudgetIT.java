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
 * {@code limits.buffer_body_total}: the bodies read whole before an upstream connection is taken
 * hold at most the total together, counted as their bytes arrive; a request whose next chunk does
 * not fit gets 503 {@code bodies_busy}, and what a buffered request held comes back when it ends.
 * Here 900 bytes of one body leave 124 of the 1 KiB total.
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

  /** A POST of a 1,000-byte body of which only the first {@code sent} bytes are sent. */
  private static Socket partlySent(String path, int sent) throws IOException {
    Socket s = new Socket("127.0.0.1", gw.gateway.port());
    s.setSoTimeout(10_000);
    s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: gw.example\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(sent))
        .getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  private static String statusLine(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
  }

  /** Sends the rest of the 1,000 bytes and reads the status line. */
  private static String finish(Socket s, int sent) throws IOException {
    s.getOutputStream().write("b".repeat(1000 - sent).getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return statusLine(s);
  }

  @Test
  void aBodyPastTheTotalIsRefusedAndTheTotalComesBackWhenABufferedRequestEnds() throws Exception {
    try (Socket first = partlySent("/api/public/first", 900)) {
      Thread.sleep(300);
      try (Socket second = partlySent("/api/public/second", 500)) {
        String refused = statusLine(second);
        assertEquals("HTTP/1.1 503 Service Unavailable", refused, "the body past the total is refused");
      }
      assertEquals(0, gw.upstream.openRequestBodyBytes(), "nothing was streamed");
      assertEquals("HTTP/1.1 200 OK", finish(first, 900));
    }
    try (Socket third = partlySent("/api/public/third", 900)) {
      Thread.sleep(300);
      assertEquals("HTTP/1.1 200 OK", finish(third, 900), "with the total back, a body is read whole again");
    }
    assertTrue(gw.upstream.requests().size() >= 2);
  }
}
