package gatehouse.observe;

import gatehouse.authn.Identity;
import gatehouse.pipeline.ErrorResponses;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Proxied;
import gatehouse.trace.RequestTrace;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything the gateway notes about a decided request: one access-log line, its metrics and the
 * end of its trace's spans (when they are recorded),
 * with {@code gatehouse_access_log_dropped_lines_total} for lines the log's target could not take.
 */
public final class Observer implements AutoCloseable {
  private final AccessLog accessLog;
  private final Metrics metrics;

  public Observer(AccessLog accessLog, Metrics metrics) {
    this.accessLog = accessLog;
    this.metrics = metrics;
    metrics.bind(registry -> FunctionCounter.builder("gatehouse_access_log_dropped_lines", accessLog, AccessLog::dropped)
        .description("access-log lines dropped because the target did not keep up").register(registry));
  }

  /** Notes request {@code id}, which started at {@code startedNanos} ({@link System#nanoTime}). */
  public void record(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long startedNanos) {
    long elapsed = System.nanoTime() - startedNanos;
    metrics.record(outcome, proxied, elapsed);
    accessLog.record(id, head, outcome, proxied, elapsed);
    if (head.trace().recording()) head.trace().end(ending(id, outcome, proxied));
  }

  /** How the request ended, as its span shows it. */
  static RequestTrace.Ending ending(String id, Outcome outcome, Optional<Proxied> proxied) {
    Optional<String> route = outcome.matchedRoute().map(r -> r.id());
    if (outcome instanceof Outcome.Reject r) {
      ErrorResponses.Reply reply = ErrorResponses.of(r.rejection());
      return new RequestTrace.Ending(id, reply.status(), "rejected", Optional.of(reply.code()), route, Optional.empty(), scheme(r.identity()));
    }
    if (!(outcome instanceof Outcome.Forward f)) throw new AssertionError("unknown outcome " + outcome);
    Optional<String> upstream = Optional.of(f.route().upstream());
    Proxied p = proxied.orElseThrow(() -> new IllegalStateException("a forwarded request is recorded after the proxy answered"));
    if (p instanceof Proxied.Responded responded) {
      return new RequestTrace.Ending(id, responded.status(), "forwarded", Optional.empty(), route, upstream, scheme(f.identity()));
    } else if (p instanceof Proxied.Failed failed) {
      ErrorResponses.Reply reply = ErrorResponses.of(failed.rejection());
      return new RequestTrace.Ending(id, reply.status(), "upstream_failed", Optional.of(reply.code()), route, upstream, scheme(f.identity()));
    } else if (p instanceof Proxied.Aborted) {
      return new RequestTrace.Ending(id, 0, "aborted", Optional.empty(), route, upstream, scheme(f.identity()));
    }
    throw new AssertionError("unknown proxied " + p);
  }

  private static Optional<String> scheme(Optional<Identity> identity) {
    return identity.map(i -> i.scheme().name().toLowerCase(Locale.ROOT));
  }

  /** Writes the access-log lines still waiting and closes its target. */
  @Override
  public void close() {
    accessLog.close();
  }
}
