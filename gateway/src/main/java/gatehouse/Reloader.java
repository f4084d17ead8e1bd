package gatehouse;

import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.LimitsConfig;
import gatehouse.server.CurrentSnapshot;
import gatehouse.server.Reloads;
import gatehouse.server.Snapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file into a new {@link Snapshot} over the running {@link Services}: reads the
 * file once, validates and compiles it completely, refuses what only a restart can change, and only
 * then {@linkplain CurrentSnapshot#replace replaces} the snapshot. Reloads run one at a time on one
 * worker thread, as does the retirement of parts: each time a replaced snapshot drains, {@link
 * Services#retain} closes what no live snapshot's config asks for.
 *
 * <p>Part of the composition root: {@link Gatehouse} makes it.
 */
final class Reloader implements Reloads, MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(Reloader.class);

  /** A config key only a restart applies, and how to read it from a config. */
  private record RestartOnly(String key, Function<GatehouseConfig, Object> value) {}

  private static final List<RestartOnly> RESTART_ONLY = List.of(
      new RestartOnly("listen.host", c -> c.listen().host()),
      new RestartOnly("listen.port", c -> c.listen().port()),
      new RestartOnly("listen.h2c", c -> c.listen().h2c()),
      new RestartOnly("listen.tls", c -> c.listen().tls()),
      new RestartOnly("admin", GatehouseConfig::admin),
      new RestartOnly("redis", GatehouseConfig::redis),
      new RestartOnly("runtime.transport", GatehouseConfig::transport),
      new RestartOnly("crypto.provider", GatehouseConfig::crypto),
      new RestartOnly("limits.max_request_line", c -> c.limits().maxRequestLineBytes()),
      new RestartOnly("limits.max_header_size", c -> c.limits().maxHeaderBytes()),
      new RestartOnly("limits.max_header_fields", c -> c.limits().maxHeaderFields()),
      new RestartOnly("limits.buffer_body_total", c -> c.limits().bufferBodyTotal()),
      new RestartOnly("limits.idle_timeout", c -> c.limits().idleTimeout()),
      new RestartOnly("limits.header_read_timeout", c -> c.limits().headerReadTimeout()),
      new RestartOnly("limits.max_connections", c -> c.limits().maxConnections()),
      // Read once by `run` when it starts waiting for SIGTERM.
      new RestartOnly("shutdown", GatehouseConfig::shutdown));

  /** Compiles a config into the snapshot of a generation over the running services: {@link Gatehouse}'s compile. */
  interface Compiler {
    Snapshot compile(GatehouseConfig config, long generation) throws ConfigException;
  }

  private final Compiler compiler;
  private final Path file;
  /** The config the gateway started with: what the restart-only keys are compared with. */
  private final GatehouseConfig started;
  private final Services services;
  private final CurrentSnapshot current;
  private final Vertx vertx;
  /** The one thread reloads and retirements run on. */
  private final WorkerExecutor worker;
  /** The config of each generation that may still serve a request. */
  private final Map<Long, GatehouseConfig> configs = new ConcurrentHashMap<>();
  private final Runnable stopRetiring;
  private volatile Version version;
  private final Map<String, Counter> results = new ConcurrentHashMap<>();
  private MultiGauge info;
  /** The file watch: the timer, the hash read at the last poll, the last hash tried, whether a poll is queued. */
  private long watchTimer = -1;
  private String lastSeen;
  private String lastTried;
  private final AtomicBoolean polling = new AtomicBoolean();

  /** Reloads {@code started.source()}; {@code current} serves generation 1, compiled from {@code started}. */
  Reloader(GatehouseConfig started, Services services, Compiler compiler, CurrentSnapshot current, Vertx vertx) {
    this.compiler = compiler;
    this.file = started.source();
    this.started = started;
    this.services = services;
    this.current = current;
    this.vertx = vertx;
    this.worker = vertx.createSharedWorkerExecutor("gatehouse-reload-" + System.identityHashCode(this), 1);
    long generation = current.get().generation();
    configs.put(generation, started);
    // The file as it is now: it was read at start an instant ago (a hash of that read would need the loader to keep the bytes).
    String hash;
    try {
      hash = sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      hash = "";
    }
    this.version = new Version(generation, hash);
    this.lastSeen = hash;
    this.lastTried = hash;
    this.stopRetiring = current.onDrained(() -> worker.executeBlocking(() -> {
      retire();
      return null;
    }, false));
  }

  @Override
  public Version current() {
    return version;
  }

  @Override
  public Future<Result> reload(String trigger) {
    return worker.executeBlocking(() -> apply(trigger), false);
  }

  /**
   * Reloads when the file changed and stayed the same for one {@code interval} (an editor or a
   * deployment tool writing it is done), once per content: a file that fails is tried again only
   * after it changes.
   */
  void watch(Duration interval) {
    watchTimer = vertx.setPeriodic(interval.toMillis(), id -> {
      if (!polling.compareAndSet(false, true)) return;
      worker.executeBlocking(() -> {
        try {
          poll();
        } finally {
          polling.set(false);
        }
        return null;
      }, false);
    });
  }

  private void poll() {
    String now;
    try {
      now = sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      now = "";   // gone for now (a rename in progress): not a change to act on
    }
    String before = lastSeen;
    lastSeen = now;
    if (now.isEmpty() || !now.equals(before) || now.equals(lastTried) || now.equals(version.sha256())) return;
    apply("file change");
  }

  /** One reload, on the worker thread. */
  private Result apply(String trigger) {
    Result result = attempt();
    results.get(result.label()).increment();
    if (result instanceof Applied a) {
      log.info("config reloaded ({}): generation {}, sha256 {}", trigger, a.version().generation(), a.version().sha256());
    } else if (result instanceof NotApplied n) {
      log.error("config reload ({}) {}; still serving generation {}:", trigger,
          n.reason() == Reason.INVALID ? "failed" : "refused", version.generation());
      n.problems().forEach(p -> log.error("{}", p));
    } else {
      throw new AssertionError("unknown result " + result);
    }
    return result;
  }

  private Result attempt() {
    String name = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return invalid(List.of(new ConfigException.Problem(name, 0, "", "file not found")));
    } catch (IOException e) {
      return invalid(List.of(new ConfigException.Problem(name, 0, "", "cannot read the file: " + e)));
    }
    String hash = sha256(bytes);
    lastTried = hash;
    String yaml;
    try {
      yaml = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return invalid(List.of(new ConfigException.Problem(name, 0, "", "the file is not valid UTF-8")));
    }
    GatehouseConfig next;
    try {
      next = ConfigLoader.load(file, yaml);
    } catch (ConfigException e) {
      return invalid(e.problems());
    }
    List<ConfigException.Problem> refused = restartOnly(started, next);
    if (!refused.isEmpty()) return new NotApplied(Reason.NEEDS_RESTART, refused);
    long generation = version.generation() + 1;
    configs.put(generation, next);
    Snapshot snapshot;
    try {
      snapshot = compiler.compile(next, generation);
    } catch (ConfigException e) {
      configs.remove(generation);
      retire();
      return invalid(e.problems());
    } catch (RuntimeException e) {
      // The readers check everything compile needs; a file changed since (a key file) fails here.
      configs.remove(generation);
      retire();
      return invalid(List.of(new ConfigException.Problem(name, 0, "", String.valueOf(e.getMessage()))));
    }
    awaitKeySets(snapshot);
    current.replace(snapshot);
    version = new Version(generation, hash);
    info.register(List.of(MultiGauge.Row.of(Tags.of("sha256", hash), 1)), true);
    return new Applied(version);
  }

  /**
   * Waits, up to {@link #KEY_SET_WAIT}, for the snapshot's dependencies to be ready (a changed JWT
   * provider's first key set fetched), so that its tokens are not refused with 503 for the first
   * moments; then serves it ready or not, as a start does.
   */
  private void awaitKeySets(Snapshot snapshot) {
    java.util.function.BooleanSupplier ready = () -> snapshot.readiness().get().stream().allMatch(gatehouse.server.Readiness::ready);
    if (ready.getAsBoolean()) return;
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    long timer = vertx.setPeriodic(10, id -> {
      if (ready.getAsBoolean()) done.complete(null);
    });
    try {
      done.get(KEY_SET_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      log.warn("config generation {} serves before every dependency is ready", snapshot.generation());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** How long a reload waits for a new snapshot's key sets before it serves it anyway. */
  static final Duration KEY_SET_WAIT = Duration.ofSeconds(10);

  private static NotApplied invalid(List<ConfigException.Problem> problems) {
    return new NotApplied(Reason.INVALID, problems);
  }

  /** The restart-only keys {@code next} changes, each at its line in {@code next}. */
  static List<ConfigException.Problem> restartOnly(GatehouseConfig running, GatehouseConfig next) {
    List<ConfigException.Problem> out = new ArrayList<>();
    for (RestartOnly r : RESTART_ONLY) {
      if (!Objects.equals(r.value().apply(running), r.value().apply(next))) {
        out.add(new ConfigException.Problem(next.source().toString(), next.lines().of(r.key()), r.key(),
            "changed, and only a restart applies it: the running value is kept (restart the gateway, or undo the change)"));
      }
    }
    return out;
  }

  /** Closes the parts of configs that no live snapshot serves; on the worker thread. */
  private void retire() {
    Set<Long> live = current.live().stream().map(Snapshot::generation).collect(Collectors.toSet());
    configs.keySet().retainAll(live);
    services.retain(List.copyOf(configs.values()));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String r : List.of("success", "failure", "refused")) {
      results.put(r, Counter.builder("gatehouse_config_reloads").tag("result", r)
          .description("Config reloads by result: success, failure (the file is invalid) or refused (it changes what needs a restart)")
          .register(registry));
    }
    Gauge.builder("gatehouse_config_generation", this, c -> c.version.generation())
        .description("The generation of the config served: 1 at start, one more per reload applied").register(registry);
    info = MultiGauge.builder("gatehouse_config_hash").description("1, labelled with the SHA-256 of the config file served")
        .register(registry);
    info.register(List.of(MultiGauge.Row.of(Tags.of("sha256", version.sha256()), 1)), true);
  }

  /** Stops the watch and the worker; reloads queued are dropped. */
  void close() {
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
    stopRetiring.run();
    worker.close();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
