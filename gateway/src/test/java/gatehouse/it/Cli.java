package gatehouse.it;

import gatehouse.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** What one in-process run of the {@code gatehouse} command line printed, and its exit code. */
record Cli(int code, String out, String err) {

  /** Runs {@code args} through the same picocli command line as {@code gatehouse}, in this JVM. */
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }
}
