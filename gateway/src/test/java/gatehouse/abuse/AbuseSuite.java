package gatehouse.abuse;

import gatehouse.abuse.attacks.DescriptorExhaustion;
import gatehouse.abuse.attacks.ForgedTokens;
import gatehouse.abuse.attacks.GarbageBytes;
import gatehouse.abuse.attacks.H2ContinuationFlood;
import gatehouse.abuse.attacks.H2RapidReset;
import gatehouse.abuse.attacks.H2SlowBodies;
import gatehouse.abuse.attacks.H2StreamFlood;
import gatehouse.abuse.attacks.HeaderAbuse;
import gatehouse.abuse.attacks.HungUpstream;
import gatehouse.abuse.attacks.IdleFlood;
import gatehouse.abuse.attacks.None;
import gatehouse.abuse.attacks.SlowBodies;
import gatehouse.abuse.attacks.SlowlorisFields;
import gatehouse.abuse.attacks.SlowlorisHeads;
import gatehouse.authn.apikey.WellFormedKeys;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs each attack against a fresh gateway child (so one attack's memory or descriptors are not
 * the next one's start) with two canaries, one on the attacked upstream and one on the other,
 * and measures the child before, during and after.
 */
public final class AbuseSuite {
  private static final Duration SETTLE = Duration.ofSeconds(15);

  private AbuseSuite() {}

  /** Every attack of issue 20 at {@code scale}, after a baseline without one. */
  public static List<Attack> attacks(Scale scale) {
    return List.of(
        new None(),
        new SlowlorisHeads(scale.flood()),
        new SlowlorisFields(scale.flood()),
        new IdleFlood(scale.flood()),
        new HeaderAbuse(8),
        new GarbageBytes(8),
        new ForgedTokens(8),
        new H2RapidReset(scale.h2Connections()),
        H2StreamFlood.withinSettings(scale.h2Connections() * 2 / 5),
        H2StreamFlood.pastSettings(scale.h2Connections() * 2 / 5),
        new H2ContinuationFlood(scale.h2Connections() * 2 / 5),
        new HungUpstream(500),
        new SlowBodies(130),
        new H2SlowBodies(4, 100),
        new DescriptorExhaustion(1024));
  }

  /**
   * Runs every attack at {@code scale}, work files under {@code work}, writes the markdown report
   * to {@code report} (and prints it); returns each target missed, by how much.
   */
  public static List<String> runAndReport(Scale scale, Path work, Path report) throws Exception {
    String only = System.getProperty("gatehouse.abuse.only", "");
    List<Attack> attacks = attacks(scale).stream().filter(a -> a.name().contains(only)).toList();
    String loadBefore = loadAverage();
    List<Result> results = run(attacks, scale, work);
    String how = "Written by `gatehouse.abuse.AbuseSuite` on " + java.time.LocalDate.now() + ", "
        + Runtime.getRuntime().availableProcessors() + " cores shared by the gateway, its upstreams, the attacks and the"
        + " canaries (those on Java " + Runtime.version().feature() + "). The gateway, a child process: `"
        + GatewayChild.java() + " " + String.join(" ", GatewayChild.javaOptions()) + " -jar gateway/target/gatehouse.jar run`"
        + " with the config of `GatewayChild`. Each attack has a fresh gateway. Load average (1, 5, 15 min) before: "
        + loadBefore + "; after: " + loadAverage() + ".";
    String md = Report.markdown("Abuse suite, " + scale.name(), scale, results, how);
    if (report.getParent() != null) Files.createDirectories(report.getParent());
    Files.writeString(report, md);
    System.out.println(md);
    return results.stream().flatMap(r -> r.misses().stream()).toList();
  }

  private static String loadAverage() throws java.io.IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** Runs {@code attacks} at {@code scale} with work files under {@code work}; one result each, in order. */
  static List<Result> run(List<Attack> attacks, Scale scale, Path work) throws Exception {
    Vertx vertx = TestVertx.create();
    List<Result> results = new ArrayList<>();
    try (LoopbackUpstream target = LoopbackUpstream.start(vertx); LoopbackUpstream other = LoopbackUpstream.start(vertx)) {
      for (Attack attack : attacks) {
        Path dir = Files.createDirectories(work.resolve(attack.name()));
        results.add(runOne(attack, scale, dir, target, other));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    return results;
  }

  private static Result runOne(Attack attack, Scale scale, Path dir, LoopbackUpstream target, LoopbackUpstream other)
      throws Exception {
    try (GatewayChild gw = GatewayChild.start(dir, target, other, attack.descriptorLimit())) {
      Probe probe = new Probe(gw.pid());
      java.util.Set<Integer> upstreams = java.util.Set.of(target.port(), other.port());
      warmUp(gw.port());
      Probe.Sample before = probe.sample();
      long upstreamBefore = probe.connectionsTo(upstreams);
      long logFrom = gw.logBytes();
      Canary same = Canary.start(gw.port(), Target.CANARY_SAME, scale.canaryPerSecond());
      Canary otherCanary = Canary.start(gw.port(), Target.CANARY_OTHER, scale.canaryPerSecond());
      Probe.Peak peak = new Probe.Peak(probe, 100);
      long volume = 0;
      String error = "";
      long started = System.nanoTime();
      double cpuBefore = probe.cpuSeconds();
      try {
        volume = attack.run(new Target(gw.port()), scale.attack());
      } catch (Exception | AssertionError e) {
        error = e.toString();
      }
      long seconds = Math.round((System.nanoTime() - started) / 1e9);
      double cpu = probe.cpuSeconds() - cpuBefore;
      Canary.Stats sameStats = same.stop();
      Canary.Stats otherStats = otherCanary.stop();
      System.out.println("AbuseSuite: " + attack.name() + ": listener counters after the attack: " + gw.listenerCounters());
      Probe.Sample after = settle(probe, before, upstreamBefore, upstreams);
      long upstreamAfter = probe.connectionsTo(upstreams);
      Probe.Sample top = peak.stop().max(after);
      long lines = gw.logLinesSince(logFrom);
      String excerpt = gw.logSince(logFrom, 300).lines().findFirst().orElse("");
      return new Result(attack.name(), attack.unit(), volume, seconds, cpu, sameStats, otherStats, before, top, after,
          upstreamBefore, upstreamAfter, lines, gw.logBytes() - logFrom, gw.alive(), excerpt, error);
    }
  }

  /**
   * Class loading, the JIT's first compilations and the key store's opening (SQLite, its schema
   * migration) happen here, not during the attack: one refused API key and JWT, 1.5 s of both
   * canaries, then a pause.
   */
  private static void warmUp(int port) throws InterruptedException {
    RawHttp.get(port, Target.API_KEY + "warm-up", "X-API-Key: " + WellFormedKeys.random());
    RawHttp.get(port, Target.JWT + "warm-up", "Authorization: Bearer not.a.token");
    Canary a = Canary.start(port, Target.CANARY_SAME, 100);
    Canary b = Canary.start(port, Target.CANARY_OTHER, 100);
    Thread.sleep(1500);
    a.stop();
    b.stop();
    Thread.sleep(500);
  }

  /**
   * Waits up to {@link #SETTLE} for the descriptors other than upstream connections to come back
   * near {@code before}; the reading then.
   */
  private static Probe.Sample settle(Probe probe, Probe.Sample before, long upstreamBefore, java.util.Set<Integer> upstreams)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    Thread.sleep(500);
    Probe.Sample now = probe.sample();
    while (now.fds() - probe.connectionsTo(upstreams) > before.fds() - upstreamBefore + Result.FD_SLACK
        && System.nanoTime() < deadline) {
      Thread.sleep(250);
      now = probe.sample();
    }
    return now;
  }
}
