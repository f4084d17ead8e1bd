package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Trickle;
import java.time.Duration;

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
    return Trickle.hold(connections, duration, slot -> Trickle.socket(Sockets.connect(target.port()), round -> null));
  }
}
