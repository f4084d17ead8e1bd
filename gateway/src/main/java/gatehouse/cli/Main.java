package gatehouse.cli;

import gatehouse.observe.Logs;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gatehouse} command line: run, validate, demo, keys. */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "An API gateway that authenticates every request at the edge.",
    subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, KeysCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int status = commandLine().execute(args);
    Logs.flushAndStop();
    System.exit(status);
  }

  /** The command line, for tests: {@code commandLine().execute(args)} returns the exit code. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gatehouse " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
    }
  }
}
