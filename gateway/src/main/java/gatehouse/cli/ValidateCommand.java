package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse validate --config F}: prints OK, or every problem as {@code file:line: key: message}; exit 1 on error. */
@Command(name = "validate", description = "Check a config file: OK, or every error with file, line and key.")
final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigFile config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Optional<GatehouseConfig> loaded = config.load(spec.commandLine().getErr());
    if (loaded.isEmpty()) return 1;
    try {
      Gatehouse.check(loaded.get());
    } catch (ConfigException e) {
      ConfigFile.print(e, spec.commandLine().getErr());
      return 1;
    }
    spec.commandLine().getOut().println("OK: " + config.path + " (" + loaded.get().routes().size() + " routes)");
    return 0;
  }
}
