package gatehouse.trace;

import io.vertx.core.MultiMap;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A trace the gateway takes part in without recording it: the caller's trace id and sampled flag
 * (or new ones), and a span id of this hop's own, so that the upstream's spans hang under the
 * gateway's hop. Its only cost with tracing off: two random numbers, and the header text when forwarded.
 */
final class ContextTrace implements RequestTrace {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final String traceId;
  private final String spanId;
  private final boolean sampled;
  /** The caller's tracestate, forwarded as received; null when none is continued. */
  private final String traceState;

  private ContextTrace(String traceId, String spanId, boolean sampled, String traceState) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.sampled = sampled;
    this.traceState = traceState;
  }

  static ContextTrace start(MultiMap headers, boolean trustedPeer, String method) {
    if (trustedPeer) {
      Optional<TraceContexts.Continued> continued = TraceContexts.continued(headers);
      if (continued.isPresent()) {
        TraceParent parent = continued.get().parent();
        return new ContextTrace(parent.traceId(), newSpanId(), parent.sampled(), continued.get().state().orElse(null));
      }
    }
    return new ContextTrace(newTraceId(), newSpanId(), false, null);
  }

  @Override
  public String traceId() {
    return traceId;
  }

  @Override
  public void stage(Stage stage) {
    // Nothing is recorded.
  }

  @Override
  public void propagate(MultiMap upstream) {
    TraceContexts.write(upstream, traceId, spanId, sampled, traceState);
  }

  @Override
  public boolean recording() {
    return false;
  }

  @Override
  public void end(Ending ending) {
    // Nothing is recorded.
  }

  /** 32 random lowercase hex digits, not all zeros. */
  static String newTraceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    char[] out = new char[32];
    hex(high, out, 0);
    hex(low, out, 16);
    return new String(out);
  }

  /** 16 random lowercase hex digits, not all zeros. */
  static String newSpanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    char[] out = new char[16];
    hex(id, out, 0);
    return new String(out);
  }

  private static void hex(long value, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }
}
