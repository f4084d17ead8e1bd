package gatehouse.trace;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;

/** Reading a caller's trace context from request headers, and writing the gateway's onto the upstream request. */
public final class TraceContexts {
  // AsciiString: the header map hashes them once.
  static final AsciiString TRACEPARENT = AsciiString.cached(TraceParent.HEADER);
  static final AsciiString TRACESTATE = AsciiString.cached(TraceState.HEADER);

  private TraceContexts() {}

  /** A caller's trace as its headers carry it: one valid traceparent, and its tracestate when valid. */
  public record Continued(TraceParent parent, Optional<String> state) {}

  /**
   * The trace {@code headers} continue, or empty: none, several or an invalid {@code traceparent}
   * (section 3.2: then tracestate is not read either).
   */
  public static Optional<Continued> continued(MultiMap headers) {
    List<String> parents = headers.getAll(TRACEPARENT);
    if (parents.size() != 1) return Optional.empty();
    Optional<TraceParent> parent = TraceParent.parse(parents.get(0));
    if (parent.isEmpty()) return Optional.empty();
    return Optional.of(new Continued(parent.get(), TraceState.parse(headers.getAll(TRACESTATE))));
  }

  /** Sets {@code traceparent} and {@code tracestate} (removed when {@code traceState} is null) on {@code upstream}. */
  public static void write(MultiMap upstream, String traceId, String spanId, boolean sampled, String traceState) {
    upstream.set(TRACEPARENT, TraceParent.format(traceId, spanId, sampled));
    if (traceState == null) {
      upstream.remove(TRACESTATE);
    } else {
      upstream.set(TRACESTATE, traceState);
    }
  }
}
