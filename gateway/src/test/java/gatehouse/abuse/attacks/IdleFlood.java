package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code connections} connections that never send a byte, held for the duration. Volume: connections. */
public final class IdleFlood implements Attack {
  private final int connections;

  public IdleFlood(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "idle connection flood";
  }

  @Override
  public String unit() {
    return "connections";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    List<Socket> open = new ArrayList<>();
    try {
      while (open.size() < connections && System.nanoTime() < deadline) open.add(Sockets.connect(target.port()));
      long n = open.size();
      while (Sockets.pause(1000, deadline)) {
        // held
      }
      return n;
    } finally {
      Sockets.closeAll(open);
    }
  }
}
