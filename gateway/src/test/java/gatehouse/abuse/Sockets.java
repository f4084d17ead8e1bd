package gatehouse.abuse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Plain loopback sockets for attacks that write what no client library would. */
public final class Sockets {
  private Sockets() {}

  public static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(5_000);
    return s;
  }

  /** Writes {@code text} as ISO-8859-1; false when the connection is gone (the gateway closed or reset it). */
  public static boolean write(Socket s, String text) {
    return write(s, text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public static boolean write(Socket s, byte[] bytes) {
    try {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads until the gateway closes the connection or a read times out; the bytes read. */
  public static long drain(Socket s) {
    long n = 0;
    byte[] buffer = new byte[8192];
    try {
      for (int r = s.getInputStream().read(buffer); r >= 0; r = s.getInputStream().read(buffer)) n += r;
    } catch (IOException e) {
      // timed out or reset: either way the exchange is over
    }
    return n;
  }

  public static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  public static void closeAll(Collection<Socket> sockets) {
    sockets.forEach(Sockets::close);
    sockets.clear();
  }

  /** Sleeps until {@code millis} from now or the deadline, whichever is first; false once the deadline passed. */
  public static boolean pause(long millis, long deadlineNanos) throws InterruptedException {
    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (left <= 0) return false;
    Thread.sleep(Math.min(millis, left));
    return System.nanoTime() < deadlineNanos;
  }
}
