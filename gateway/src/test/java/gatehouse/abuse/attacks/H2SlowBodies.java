package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import gatehouse.abuse.Trickle;
import gatehouse.testing.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

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
    return streams * Trickle.hold(connections, duration, slot -> held(start(target)));
  }

  /** Ten bytes on each stream a round; gone once the gateway ended the connection. */
  private Trickle.Held held(RawH2 h2) {
    return new Trickle.Held() {
      @Override
      public boolean feed(int round) {
        if (h2.closed()) return false;
        ByteArrayOutputStream tenBytes = new ByteArrayOutputStream();
        for (int i = 0; i < streams; i++) RawH2.frame(tenBytes, RawH2.DATA, 0, 1 + 2 * i, "0123456789".getBytes());
        try {
          h2.write(tenBytes.toByteArray());
        } catch (IOException e) {
          // closed: opened again on the next round
        }
        return true;
      }

      @Override
      public void close() {
        h2.close();
      }
    };
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
