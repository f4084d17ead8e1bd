package gatehouse.observe;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.AccessLogConfig;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.secret.Secret;
import io.vertx.core.MultiMap;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * two event loops of the bench machine), lines written to {@code /dev/null}. Faster than the writer
 * drains, the callers fill their queues and later lines are dropped (counted, not built again).
 * Run with {@code bench/jmh.sh AccessLog}.
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
      Optional.of(new Identity("alice", Scheme.JWT, "corp", Set.of("user"), Set.of(), VerifiedClaims.NONE, Optional.empty())));

  @Param({"LOGFMT", "JSON"})
  public AccessLogConfig.Format format;

  private AccessLog log;

  @Setup(Level.Trial)
  public void setUp() {
    log = AccessLog.open(new AccessLogConfig(Optional.of(Path.of("/dev/null")), format, Duration.ofSeconds(1)), Optional.of("api_key"),
        Clock.systemUTC());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    log.close();
  }

  @Benchmark
  public void record() {
    log.record("3f2a9c0d41be7e55", HEAD, OUTCOME, Optional.empty(), 1_210_000);
  }
}
