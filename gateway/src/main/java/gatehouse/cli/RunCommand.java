package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import gatehouse.observe.Logs;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse run --config F}: serves until SIGINT/SIGTERM; SIGHUP reloads the config. */
@Command(name = "run", description = "Run the gateway with a config file until stopped (SIGINT/SIGTERM). SIGHUP reloads the config file.")
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigFile config;

  @Option(names = "--watch-config", description = "Reload the config file when it changes (checked every second; a file "
      + "that fails validation changes nothing).")
  boolean watch;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Optional<GatehouseConfig> loaded = config.load(spec.commandLine().getErr());
    if (loaded.isEmpty()) return 1;
    Gatehouse gateway;
    try {
      gateway = Gatehouse.start(loaded.get(), Clock.systemUTC()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) {
        ConfigFile.print(ce, spec.commandLine().getErr());
      } else {
        spec.commandLine().getErr().println("gatehouse could not start: " + e.getCause().getMessage());
      }
      return 1;
    }
    HangupSignal.install(() -> gateway.reloads().reload("SIGHUP"));
    if (watch) gateway.watchConfig(java.time.Duration.ofSeconds(1));
    awaitShutdown(gateway);
    return 0;
  }

  /** Blocks the main thread (never an event loop) until the JVM is asked to stop, then closes. */
  static void awaitShutdown(Gatehouse gateway) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      } finally {
        Logs.flushAndStop();
        stopped.countDown();
      }
    }, "gatehouse-shutdown"));
    stopped.await();
  }
}
