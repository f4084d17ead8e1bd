package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.authn.apikey.CreatedKey;
import gatehouse.authn.apikey.NewKey;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.demo.DemoIssuer;
import gatehouse.demo.DemoScenarios;
import gatehouse.demo.EchoUpstream;
import gatehouse.transport.NetworkTransport;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse demo}: the gateway, an echo upstream and an identity provider in one process,
 * with nothing external. Prints curl lines with ready tokens and a demo API key (its store is a
 * SQLite file in the demo's temp dir), and checks each one itself first.
 */
@Command(name = "demo", description = "Run a self-contained demo: gateway, echo upstream and token issuer, with curl examples.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--admin-port", defaultValue = "9901", description = "Admin port (default ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--check", description = "Run the demo's requests, print the results and exit (0 when all behave).")
  boolean checkOnly;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Clock clock = Clock.systemUTC();
    Vertx vertx = Gatehouse.newVertx(NetworkTransport.select(NetworkTransport.Choice.AUTO));
    Path dir = Files.createTempDirectory("gatehouse-demo");
    try {
      EchoUpstream echo = await(EchoUpstream.start(vertx));
      DemoIssuer issuer = new DemoIssuer(clock);
      int issuerPort = await(issuer.serve(vertx));
      String yaml = DemoScenarios.config(port, adminPort, echo.port(), issuerPort, issuer.clientSecret());
      Files.writeString(dir.resolve("gatehouse-demo.yaml"), yaml);
      GatehouseConfig config = ConfigLoader.load(dir.resolve("gatehouse-demo.yaml"));
      Gatehouse gateway = await(Gatehouse.start(config, clock, vertx, false));
      CreatedKey demoKey = await(gateway.keyAdmin().orElseThrow().create(
          new NewKey("acme", Optional.of("demo"), Set.of("orders:read"), Optional.of(600), Optional.empty())));
      DemoScenarios scenarios = new DemoScenarios(issuer, gateway.port(), demoKey.key().reveal());
      scenarios.awaitReady(vertx, gateway.adminPort());
      boolean allGood = scenarios.runAll(vertx, out);
      if (checkOnly) {
        await(gateway.close());
        return allGood ? 0 : 1;
      }
      scenarios.printGuide(out, dir.resolve("gatehouse-demo.yaml"));
      out.flush();
      return RunCommand.awaitShutdown(gateway, config.shutdown());
    } catch (ConfigException e) {
      e.problems().forEach(p -> spec.commandLine().getErr().println(p));
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
