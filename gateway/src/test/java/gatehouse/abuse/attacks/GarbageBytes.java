package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** 4 KiB of random bytes on each new connection, read until the gateway closes it. Volume: connections. */
public final class GarbageBytes implements Attack {
  private final int threads;

  public GarbageBytes(int threads) {
    this.threads = threads;
  }

  @Override
  public String name() {
    return "garbage bytes";
  }

  @Override
  public String unit() {
    return "connections";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Workers.run("garbage", threads, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      byte[] garbage = new byte[4096];
      while (System.nanoTime() < deadline) {
        ThreadLocalRandom.current().nextBytes(garbage);
        try (Socket s = Sockets.connect(target.port())) {
          open.add(s);
          Sockets.write(s, garbage);
          Sockets.drain(s);
          open.remove(s);
        }
        volume.incrementAndGet();
      }
    });
  }
}
