package gatehouse.observe;

import gatehouse.config.AccessLogConfig;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import io.vertx.core.MultiMap;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A process that records {@code args[1]} access-log lines to the file {@code args[0]} with a 10 s
 * flush interval and exits at once without closing the log: the JVM's exit must write them.
 */
public final class AccessLogAtExit {
  private AccessLogAtExit() {}

  public static void main(String[] args) {
    AccessLog log = AccessLog.open(new AccessLogConfig(Optional.of(Path.of(args[0])), AccessLogConfig.Format.JSON, Duration.ofSeconds(10)),
        Optional.empty(), Clock.systemUTC());
    RequestHead head = new RequestHead("GET", "/x", "h", MultiMap.caseInsensitiveMultiMap());
    Outcome outcome = new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
    for (int i = 0; i < Integer.parseInt(args[1]); i++) log.record(Integer.toString(i), head, outcome, Optional.empty(), 1_000);
    System.exit(0);
  }
}
