package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gatehouse validate --config F}: prints OK, or every problem as {@code file:line: key: message}; exit 1 on error. */
@Command(name = "validate", description = "Check a config file: OK, or every error with file, line and key.")
final class ValidateCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "The YAML config file.")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try {
      GatehouseConfig loaded = ConfigLoader.load(config);
      Gatehouse.check(loaded, Clock.systemUTC());
      spec.commandLine().getOut().println("OK: " + config + " (" + loaded.routes().size() + " routes)");
      return 0;
    } catch (ConfigException e) {
      e.problems().forEach(p -> spec.commandLine().getErr().println(p));
      return 1;
    }
  }
}
