package gatehouse.bench;

import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.RouteConfig;
import gatehouse.identity.HeaderEdits;
import gatehouse.identity.IdentityHeaders;
import gatehouse.route.RequestTarget;
import gatehouse.route.RouteTable;
import gatehouse.route.Target;
import gatehouse.route.TargetParser;
import io.vertx.core.MultiMap;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request stages that are pure CPU: parsing and normalising a target, matching it against
 * a 20-route table (the match is the last route), and stripping and setting identity headers on a
 * typical header block. Run with {@code bench/jmh.sh HotPath}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
  private RouteTable table;
  private RequestTarget target;
  private IdentityHeaders identity;
  private MultiMap headers;

  @Setup
  public void setUp() throws Exception {
    StringBuilder yaml = new StringBuilder("upstreams: {app: {url: \"http://127.0.0.1:9\"}}\nroutes:\n");
    for (int i = 0; i < 19; i++) yaml.append("  - {match: {prefix: /svc").append(i).append("/}, upstream: app}\n");
    yaml.append("  - {match: {prefix: /api/orders/}, upstream: app, policy: public}\n");
    GatehouseConfig config = ConfigLoader.parse("bench.yaml", yaml.toString(), Path.of("."), name -> null);
    table = RouteTable.compile(config.routes(), "bench.yaml");
    target = ((Target.Parsed) TargetParser.parse("/api/orders/42?expand=items", "gw.example")).target();
    identity = new IdentityHeaders(config);
  }

  @Benchmark
  public Target parseTarget() {
    return TargetParser.parse("/api/orders/42/items/%7Eall?expand=items&page=2", "gw.example");
  }

  @Benchmark
  public Optional<RouteConfig> matchRoute() {
    return table.match("GET", "gw.example", target);
  }

  @Benchmark
  public MultiMap sanitiseHeaders() {
    headers = MultiMap.caseInsensitiveMultiMap()
        .add("Host", "gw.example").add("User-Agent", "bench/1.0").add("Accept", "application/json")
        .add("Accept-Encoding", "gzip").add("Authorization", "Bearer x.y.z").add("X-User-Id", "mallory")
        .add("X_User_Role", "admin").add("Content-Type", "application/json").add("Cookie", "a=b")
        .add("X-Request-Start", "t=1").add("Traceparent", "00-abc-def-01").add("X-Scopes", "all");
    HeaderEdits edits = new HeaderEdits(identity.reserved(), java.util.Set.of("Authorization"),
        Map.of("X-User-Id", "alice", "X-User-Role", "user"));
    edits.accept(headers);
    return headers;
  }
}
