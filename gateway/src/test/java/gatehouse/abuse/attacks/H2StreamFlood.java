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
 * gateway's SETTINGS_MAX_CONCURRENT_STREAMS allows, each a head with no body yet, held open; a
 * connection the gateway ends is opened again. Volume: streams opened.
 *
 * <p>{@link #pastSettings} sends 1,000 streams at once without waiting for the gateway's
 * SETTINGS, ten times its limit: the gateway refuses the streams over it and ends the connection,
 * and the attacker opens the next one at once. That churn (up to 82,000 streams in 30 s) is what
 * took RSS to 251–260 MiB in 2026-12-06's runs, where a loaded machine had delayed the SETTINGS.
 */
public final class H2StreamFlood implements Attack {
  private static final long MAX_STREAMS = 1000;
  private final int connections;
  private final boolean ignoreSettings;

  private H2StreamFlood(int connections, boolean ignoreSettings) {
    this.connections = connections;
    this.ignoreSettings = ignoreSettings;
  }

  /** Within the gateway's limit of concurrent streams. */
  public static H2StreamFlood withinSettings(int connections) {
    return new H2StreamFlood(connections, false);
  }

  /** 1,000 streams per connection, whatever the gateway's limit. */
  public static H2StreamFlood pastSettings(int connections) {
    return new H2StreamFlood(connections, true);
  }

  @Override
  public String name() {
    return ignoreSettings ? "HTTP/2 stream flood past SETTINGS" : "HTTP/2 stream flood";
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
            // The gateway's SETTINGS, which a loaded machine can delay past any fixed pause.
            long settingsBy = System.nanoTime() + 2_000_000_000L;
            while (!ignoreSettings && h2.maxConcurrentStreams() == Long.MAX_VALUE && System.nanoTime() < settingsBy
                && Sockets.pause(10, deadline)) {
              // waiting
            }
            long streams = ignoreSettings ? MAX_STREAMS : Math.min(MAX_STREAMS, h2.maxConcurrentStreams());
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
