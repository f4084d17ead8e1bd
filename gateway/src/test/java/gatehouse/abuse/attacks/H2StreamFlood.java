package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import gatehouse.testing.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * HTTP/2 stream flood over {@code connections} connections: on each, as many POST streams as the
 * gateway's SETTINGS_MAX_CONCURRENT_STREAMS allows (at most 1,000), each a head with no body yet,
 * held open; a connection the gateway ends is opened again. Volume: streams opened.
 */
public final class H2StreamFlood implements Attack {
  private static final long MAX_STREAMS = 1000;
  private final int connections;

  public H2StreamFlood(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "HTTP/2 stream flood";
  }

  @Override
  public String unit() {
    return "streams";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Workers.run("stream-flood", connections, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      while (System.nanoTime() < deadline) {
        try (RawH2 h2 = RawH2.open(target.port())) {
          open.add(h2);
          try {
            Sockets.pause(200, deadline); // the gateway's SETTINGS
            long streams = Math.min(MAX_STREAMS, h2.maxConcurrentStreams());
            ByteArrayOutputStream heads = new ByteArrayOutputStream();
            for (int i = 0; i < streams; i++) {
              RawH2.frame(heads, RawH2.HEADERS, RawH2.END_HEADERS, 1 + 2 * i, RawH2.request("POST", Target.ATTACK + "flood-" + i));
            }
            h2.write(heads.toByteArray());
            volume.addAndGet(streams);
            while (!h2.closed() && Sockets.pause(200, deadline)) {
              // held
            }
          } finally {
            open.remove(h2);
          }
        } catch (IOException e) {
          Thread.sleep(10);
        }
      }
    });
  }
}
