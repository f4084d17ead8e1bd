package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.ShutdownConfig;
import gatehouse.server.Drain;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse run --config F}: serves until SIGTERM or SIGINT, then stops gracefully (docs/operations.md, Stopping); SIGHUP reloads the config. */
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
    return awaitShutdown(gateway, loaded.get().shutdown());
  }

  /** The exit status when {@code shutdown.timeout} passed with requests still running, which were cut. */
  static final int CUT = 3;

  /**
   * Blocks the main thread (never an event loop) until SIGTERM or SIGINT, then stops as {@code
   * shutdown} says and closes. Returns the exit status: 0 when every request finished, {@link #CUT}
   * when the timeout cut some. A second signal exits at once ({@link StopSignal}).
   */
  static int awaitShutdown(Gatehouse gateway, ShutdownConfig shutdown) throws InterruptedException {
    StopSignal.install().await();
    Drain.Result result = gateway.drain(shutdown);
    try {
      gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LoggerFactory.getLogger(RunCommand.class).warn("shutdown: did not close cleanly: {}", e.toString());
    }
    return result.cut() == 0 ? 0 : CUT;
  }
}
