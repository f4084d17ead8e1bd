package gatehouse.cli;

import gatehouse.observe.Logs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gatehouse} command line: run, validate, schema, demo, keys, denylist. */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "An API gateway that authenticates every request at the edge.")
public final class Main implements Runnable {
  /**
   * The subcommands, in the order help lists them. Added here rather than in {@code @Command}:
   * picocli reads a command's annotations by reflection when it is added, which for all of them
   * (with the four {@code keys} subcommands) is a noticeable part of start-up (bench/NOTES.md).
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  /**
   * Netty 4.2 records its buffer allocator's chunks as JDK Flight Recorder events. Registering the
   * event type on the first allocation initialises JFR's metadata, on the event loop that serves
   * the gateway's first request, which waits for it (bench/NOTES.md). Off, unless
   * {@code -Dio.netty.jfr.enabled=true} asks for them.
   */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    defaultSystemProperties();
    int status = commandLine(args).execute(args);
    Logs.flushAndStop();
    System.exit(status);
  }

  /** Sets the system properties the gateway wants, where the command line did not set them. */
  static void defaultSystemProperties() {
    if (System.getProperty(NETTY_JFR) == null) System.setProperty(NETTY_JFR, "false");
  }

  /**
   * The whole command line: {@code commandLine().execute(args)} returns the exit code where {@link
   * #main} would exit the JVM, so tests run commands in-process.
   */
  public static CommandLine commandLine() {
    CommandLine root = new CommandLine(new Main());
    SUBCOMMANDS.values().forEach(command -> root.addSubcommand(command.get()));
    return root;
  }

  /**
   * The command line for {@code args}: when they start with a subcommand's name, only that
   * subcommand is built (its own options, help and errors are the same); anything else (no
   * arguments, {@code --help}, a mistyped name) gets the whole command line, to list them all.
   */
  static CommandLine commandLine(String[] args) {
    Supplier<Object> named = args.length == 0 ? null : SUBCOMMANDS.get(args[0]);
    if (named == null) return commandLine();
    CommandLine root = new CommandLine(new Main());
    root.addSubcommand(named.get());
    return root;
  }

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> all = new LinkedHashMap<>();
    all.put("run", RunCommand::new);
    all.put("validate", ValidateCommand::new);
    all.put("schema", SchemaCommand::new);
    all.put("demo", DemoCommand::new);
    all.put("keys", KeysCommand::new);
    all.put("denylist", DenyListCommand::new);
    all.put("explain", ExplainCommand::new);
    return Collections.unmodifiableMap(all);
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
