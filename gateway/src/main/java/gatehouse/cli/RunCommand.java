package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse run --config F}: serves until SIGINT/SIGTERM. */
@Command(name = "run", description = "Run the gateway with a config file until stopped (SIGINT/SIGTERM).")
final class RunCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "The YAML config file.")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    GatehouseConfig loaded;
    try {
      loaded = ConfigLoader.load(config);
    } catch (ConfigException e) {
      e.problems().forEach(p -> spec.commandLine().getErr().println(p));
      return 1;
    }
    Gatehouse gateway;
    try {
      gateway = Gatehouse.start(loaded, Clock.systemUTC()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) {
        ce.problems().forEach(p -> spec.commandLine().getErr().println(p));
      } else {
        spec.commandLine().getErr().println("gatehouse could not start: " + e.getCause().getMessage());
      }
      return 1;
    }
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
        stopped.countDown();
      }
    }, "gatehouse-shutdown"));
    stopped.await();
  }
}
