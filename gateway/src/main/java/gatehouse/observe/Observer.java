package gatehouse.observe;

import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.RequestHead;
import gatehouse.proxy.Proxied;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.Optional;

/**
 * Everything the gateway notes about a decided request: one access-log line and its metrics,
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
  }

  /** Writes the access-log lines still waiting and closes its target. */
  @Override
  public void close() {
    accessLog.close();
  }
}
