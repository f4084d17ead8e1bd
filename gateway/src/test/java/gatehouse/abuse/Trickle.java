package gatehouse.abuse;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The loop of the attacks that hold connections open and feed them slowly: opens {@code
 * connections} (while time is left), then once a second feeds each, opens again in its slot any
 * the gateway closed and tops up, until the duration is over; closes them all before it returns.
 */
public final class Trickle {
  private Trickle() {}

  /** One held connection. */
  public interface Held {
    /** Feeds round {@code round} (0 the round that opened the first connections); false when the connection is gone. */
    boolean feed(int round);

    void close();
  }

  /** Opens the connection of slot {@code slot}, 0 to connections - 1. */
  public interface Opener {
    Held open(int slot) throws IOException;
  }

  /** Holds {@code connections} connections from {@code open} for {@code duration}; how many it opened, the reopened included. */
  public static long hold(int connections, Duration duration, Opener open) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    List<Held> held = new ArrayList<>();
    long opened = 0;
    try {
      int round = 0;
      do {
        for (int i = 0; i < held.size(); i++) {
          if (!held.get(i).feed(round)) {
            held.get(i).close();
            held.set(i, open.open(i));
            opened++;
          }
        }
        while (held.size() < connections && System.nanoTime() < deadline) {
          held.add(open.open(held.size()));
          opened++;
        }
        round++;
      } while (Sockets.pause(1000, deadline));
    } finally {
      held.forEach(Held::close);
    }
    return opened;
  }

  /** {@code s}, fed each round what {@code text} gives for it (ISO-8859-1), nothing when it gives null. */
  public static Held socket(Socket s, IntFunction<String> text) {
    return new Held() {
      @Override
      public boolean feed(int round) {
        String t = text.apply(round);
        return t == null || Sockets.write(s, t);
      }

      @Override
      public void close() {
        Sockets.close(s);
      }
    };
  }
}
