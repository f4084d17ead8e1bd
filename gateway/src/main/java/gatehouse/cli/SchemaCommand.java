package gatehouse.cli;

import gatehouse.config.ConfigSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse schema [--output FILE]}: the config file's JSON Schema, for editors and tools. */
@Command(name = "schema", description = "Print the config file's JSON Schema (draft 2020-12), for editors and tools.")
final class SchemaCommand implements Callable<Integer> {
  @Option(names = "--output", paramLabel = "FILE", description = "Write it to FILE instead of standard output.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String schema = ConfigSchema.json();
    if (output == null) {
      spec.commandLine().getOut().print(schema);
      spec.commandLine().getOut().flush();
      return 0;
    }
    try {
      Files.writeString(output, schema, StandardCharsets.UTF_8);
    } catch (IOException e) {
      spec.commandLine().getErr().println("gatehouse schema: cannot write " + output + ": " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
