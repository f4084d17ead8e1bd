package gatehouse.observe;

import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Proxied;
import java.util.Optional;

/** Everything the gateway notes about a decided request: one access-log line and its metrics. */
public final class Observer {
  private final AccessLog accessLog;
  private final Metrics metrics;

  public Observer(AccessLog accessLog, Metrics metrics) {
    this.accessLog = accessLog;
    this.metrics = metrics;
  }

  /** Notes request {@code id}, which started at {@code startedNanos} ({@link System#nanoTime}). */
  public void record(String id, RequestHead head, Outcome outcome, Optional<Proxied> proxied, long startedNanos) {
    long elapsed = System.nanoTime() - startedNanos;
    metrics.record(outcome, proxied, elapsed);
    accessLog.record(id, head, outcome, proxied, elapsed);
  }
}
