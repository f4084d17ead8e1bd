package gatehouse.trace;

import io.vertx.core.MultiMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What trace context costs a request with tracing off: the trace started from the client's
 * headers, and {@code traceparent} written on the upstream's. Run with
 * {@code bench/jmh.sh TraceContext -prof gc} for the bytes allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TraceContextBenchmark {
  private final MultiMap client = MultiMap.caseInsensitiveMultiMap()
      .add("Host", "api.example.com").add("User-Agent", "wrk").add("Accept", "*/*")
      .add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl");
  private final MultiMap traced = MultiMap.caseInsensitiveMultiMap().addAll(client)
      .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").add("tracestate", "rojo=00f067aa0ba902b7");
  private final MultiMap upstream = MultiMap.caseInsensitiveMultiMap().addAll(client);

  /** A client that is not a trusted proxy (the bench's case): a new trace. */
  @Benchmark
  public MultiMap untrustedClient() {
    RequestTracing.CONTEXT_ONLY.start(client, false, "GET").propagate(upstream);
    return upstream;
  }

  /** A trusted proxy's traceparent and tracestate, read and continued. */
  @Benchmark
  public MultiMap trustedProxyWithTraceparent() {
    RequestTracing.CONTEXT_ONLY.start(traced, true, "GET").propagate(upstream);
    return upstream;
  }
}
