package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import java.net.Socket;
import java.time.Duration;

/**
 * Request heads past the limits, each on a new connection, in turn: one 64 KiB header, 2,000
 * small headers, a 16 KiB request line. Volume: requests.
 */
public final class HeaderAbuse implements Attack {
  private static final String[] HEADS = {
      "GET " + Target.ATTACK + "big HTTP/1.1\r\nHost: gw.test\r\nX-Big: " + "a".repeat(64 << 10) + "\r\n\r\n",
      "GET " + Target.ATTACK + "many HTTP/1.1\r\nHost: gw.test\r\n" + "X-Many: abcdefgh\r\n".repeat(2000) + "\r\n",
      "GET " + Target.ATTACK + "x".repeat(16 << 10) + " HTTP/1.1\r\nHost: gw.test\r\n\r\n",
  };
  private final int threads;

  public HeaderAbuse(int threads) {
    this.threads = threads;
  }

  @Override
  public String name() {
    return "header abuse";
  }

  @Override
  public String unit() {
    return "requests";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Workers.run("header-abuse", threads, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      for (int i = 0; System.nanoTime() < deadline; i++) {
        try (Socket s = Sockets.connect(target.port())) {
          open.add(s);
          Sockets.write(s, HEADS[i % HEADS.length]);
          Sockets.drain(s);
          open.remove(s);
        }
        volume.incrementAndGet();
      }
    });
  }
}
