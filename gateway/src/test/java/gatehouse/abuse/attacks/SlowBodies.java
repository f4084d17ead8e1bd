package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow request bodies over HTTP/1.1: {@code connections} POSTs declaring a 1 MiB body, each
 * sending 10 bytes a second; a connection the gateway closes is opened again. Volume: connections.
 */
public final class SlowBodies implements Attack {
  private final int connections;

  public SlowBodies(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "slow bodies, HTTP/1.1";
  }

  @Override
  public String unit() {
    return "connections";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    List<Socket> open = new ArrayList<>();
    long opened = 0;
    try {
      do {
        for (int i = 0; i < open.size(); i++) {
          if (!Sockets.write(open.get(i), "0123456789")) {
            Sockets.close(open.get(i));
            open.set(i, post(target, i));
            opened++;
          }
        }
        while (open.size() < connections) {
          open.add(post(target, open.size()));
          opened++;
        }
      } while (Sockets.pause(1000, deadline));
    } finally {
      Sockets.closeAll(open);
    }
    return opened;
  }

  private static Socket post(Target target, int i) throws IOException {
    Socket s = Sockets.connect(target.port());
    Sockets.write(s, "POST " + Target.UPLOAD + "slow-" + i + " HTTP/1.1\r\nHost: gw.test\r\nContent-Length: " + (1 << 20) + "\r\n\r\n0123456789");
    return s;
  }
}
