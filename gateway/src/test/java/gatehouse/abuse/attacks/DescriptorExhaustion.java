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
 * Descriptor exhaustion: the gateway runs under {@code prlimit --nofile=limit}, and 1.5 × limit
 * connections that send nothing are opened and held (those the gateway closes at once, beyond
 * {@code limits.max_connections}, and those past its descriptors, wait in the kernel's backlog or
 * are refused). Volume: connections.
 */
public final class DescriptorExhaustion implements Attack {
  private final int limit;

  public DescriptorExhaustion(int limit) {
    this.limit = limit;
  }

  @Override
  public String name() {
    return "descriptor exhaustion (nofile " + limit + ")";
  }

  @Override
  public String unit() {
    return "connections";
  }

  @Override
  public int descriptorLimit() {
    return limit;
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    List<Socket> open = new ArrayList<>();
    long attempts = 0;
    try {
      while (open.size() < limit * 3 / 2 && System.nanoTime() < deadline) {
        attempts++;
        try {
          open.add(Sockets.connect(target.port()));
        } catch (IOException refused) {
          // the backlog is full: held connections are what counts
        }
      }
      while (Sockets.pause(1000, deadline)) {
        // held
      }
      return attempts;
    } finally {
      Sockets.closeAll(open);
    }
  }
}
