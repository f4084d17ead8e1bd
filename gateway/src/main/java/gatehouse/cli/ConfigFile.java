package gatehouse.cli;

import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config F} option of every command that reads a config file, and its loading. */
final class ConfigFile {
  @Option(names = {"-c", "--config"}, required = true, description = "The YAML config file.")
  Path path;

  /** The loaded config, or empty after printing every problem as {@code file:line: key: message}. */
  Optional<GatehouseConfig> load(PrintWriter err) {
    try {
      return Optional.of(ConfigLoader.load(path));
    } catch (ConfigException e) {
      print(e, err);
      return Optional.empty();
    }
  }

  static void print(ConfigException e, PrintWriter err) {
    e.problems().forEach(err::println);
  }
}
