package gatehouse.observe;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.AccessLogConfig;
import gatehouse.credential.Secret;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import io.vertx.core.MultiMap;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Old path (BatchingAppender + DirectLines) against the new writer: two threads record bursts of
 * 15,000 lines each (less than either path buffers, so nothing is dropped), then the log is closed
 * (everything written to /dev/null). Reports, per line, the median over rounds of the CPU time of
 * the callers plus the writer thread (read just before the close; GC not counted), and of the
 * callers' CPU time alone.
 */
public final class AccessLogCost {
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
  private static final RequestHead HEAD = new RequestHead("GET", "/api/orders/12345?page=2&api_key=k3y", "h",
      MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + TOKEN));
  private static final Outcome OUTCOME = new Outcome.Reject(new Rejection.Forbidden("missing_role", "a required role is missing", true),
      Optional.empty(), Optional.of(new Secret(TOKEN).fingerprint()),
      Optional.of(new Identity("alice", Scheme.JWT, "corp", Set.of("user"), Set.of(), Map.of(), Optional.empty())));
  private static final int LINES = 15_000;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    System.setErr(new PrintStream(new FileOutputStream("/dev/null"), false));
    java.lang.management.ThreadMXBean threadsBean = ManagementFactory.getThreadMXBean();
    Map<String, List<Double>> cpu = new java.util.TreeMap<>();
    Map<String, List<Double>> wall = new java.util.TreeMap<>();
    for (int r = -10; r < rounds; r++) {
      for (String path : List.of("legacy", "writer")) {
        Runnable[] close = new Runnable[1];
        Recorder recorder = recorder(path, close);
        long[] callerNanos = new long[2];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
          int i = t;
          threads[t] = new Thread(() -> {
            long t0 = threadsBean.getCurrentThreadCpuTime();
            for (int n = 0; n < LINES; n++) recorder.record();
            callerNanos[i] = threadsBean.getCurrentThreadCpuTime() - t0;
          });
          threads[t].start();
        }
        for (Thread t : threads) t.join();
        Thread.sleep(20);
        long writerNanos = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().equals("gatehouse-access-log") || t.getName().equals("gatehouse-log-writer")) writerNanos += threadsBean.getThreadCpuTime(t.getId());
        }
        close[0].run();
        if (r >= 0) {
          cpu.computeIfAbsent(path, k -> new ArrayList<>()).add((callerNanos[0] + callerNanos[1] + writerNanos) / (2.0 * LINES));
          wall.computeIfAbsent(path, k -> new ArrayList<>()).add((callerNanos[0] + callerNanos[1]) / (2.0 * LINES));
        }
      }
    }
    for (String path : cpu.keySet()) {
      System.out.printf("%s: callers+writer CPU ns/line median %.0f (min %.0f, max %.0f); callers CPU ns/line median %.0f (min %.0f, max %.0f)%n", path,
          median(cpu.get(path)), Collections.min(cpu.get(path)), Collections.max(cpu.get(path)),
          median(wall.get(path)), Collections.min(wall.get(path)), Collections.max(wall.get(path)));
    }
  }

  private interface Recorder {
    void record();
  }

  private static Recorder recorder(String path, Runnable[] close) {
    if (path.equals("legacy")) {
      LoggerContext context = new LoggerContext();
      LineEncoder encoder = new LineEncoder();
      encoder.setContext(context);
      encoder.start();
      BatchingAppender appender = new BatchingAppender();
      appender.setContext(context);
      appender.setEncoder(encoder);
      appender.start();
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      root.setLevel(ch.qos.logback.classic.Level.INFO);
      root.addAppender(appender);
      LegacyAccessLog log = new LegacyAccessLog(Optional.of("api_key"), context.getLogger("gatehouse.access"));
      if (!log.direct()) throw new IllegalStateException("the legacy path is not direct");
      close[0] = context::stop;
      return () -> log.record("3f2a9c0d41be7e55", HEAD, OUTCOME, Optional.empty(), 1_210_000);
    }
    AccessLogConfig config = new AccessLogConfig(Optional.of(Path.of("/dev/null")), AccessLogConfig.Format.LOGFMT, Duration.ofSeconds(1));
    AccessLog log = AccessLog.open(config, Optional.of("api_key"), Clock.systemUTC());
    close[0] = () -> {
      log.close();
      if (log.dropped() > 0) throw new IllegalStateException("dropped " + log.dropped());
    };
    return () -> log.record("3f2a9c0d41be7e55", HEAD, OUTCOME, Optional.empty(), 1_210_000);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
