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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one access-log line costs the thread that records it, two threads recording at once (the
 * two event loops of the bench machine), lines written to {@code /dev/null}. Run with {@code
 * bench/jmh.sh AccessLog}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
@Fork(1)
public class AccessLogBenchmark {
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
  private static final RequestHead HEAD = new RequestHead("GET", "/api/orders/12345?page=2&api_key=k3y", "h",
      MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + TOKEN));
  private static final Outcome OUTCOME = new Outcome.Reject(new Rejection.Forbidden("missing_role", "a required role is missing", true),
      Optional.empty(), Optional.of(new Secret(TOKEN).fingerprint()),
      Optional.of(new Identity("alice", Scheme.JWT, "corp", Set.of("user"), Set.of(), Map.of(), Optional.empty())));

  @Param({"legacy", "writer"})
  public String path;

  private PrintStream originalErr;
  private LoggerContext context;
  private LegacyAccessLog legacy;
  private AccessLog writer;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (path.equals("legacy")) {
      originalErr = System.err;
      System.setErr(new PrintStream(new FileOutputStream("/dev/null"), false));
      context = new LoggerContext();
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
      legacy = new LegacyAccessLog(Optional.of("api_key"), context.getLogger("gatehouse.access"));
      if (!legacy.direct()) throw new IllegalStateException("the legacy path is not direct");
    } else {
      AccessLogConfig config = new AccessLogConfig(Optional.of(Path.of("/dev/null")), AccessLogConfig.Format.LOGFMT, Duration.ofSeconds(1));
      writer = AccessLog.open(config, Optional.of("api_key"), Clock.systemUTC());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (legacy != null) {
      context.stop();
      System.setErr(originalErr);
    }
    if (writer != null) {
      writer.close();
      if (writer.dropped() > 0) System.out.println("dropped " + writer.dropped());
    }
  }

  @Benchmark
  public void record() {
    if (writer != null) {
      writer.record("3f2a9c0d41be7e55", HEAD, OUTCOME, Optional.empty(), 1_210_000);
    } else {
      legacy.record("3f2a9c0d41be7e55", HEAD, OUTCOME, Optional.empty(), 1_210_000);
    }
  }
}
