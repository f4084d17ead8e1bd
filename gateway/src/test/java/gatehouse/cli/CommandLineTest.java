package gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aNamedSubcommandIsBuiltAloneAndAnythingElseGetsEverySubcommand() {
    List<String> all = List.of("run", "validate", "schema", "demo", "keys", "denylist", "explain");
    for (String name : all) {
      assertEquals(List.of(name), List.copyOf(Main.commandLine(new String[] {name, "--config", "x.yaml"}).getSubcommands().keySet()));
    }
    assertEquals(all, List.copyOf(Main.commandLine().getSubcommands().keySet()));
    for (String[] args : new String[][] {{}, {"--help"}, {"rn"}, {"--version"}}) {
      assertEquals(all, List.copyOf(Main.commandLine(args).getSubcommands().keySet()), String.join(" ", args));
    }
    assertEquals(List.of("create", "list", "revoke", "rotate", "change", "usage"),
        List.copyOf(Main.commandLine(new String[] {"keys"}).getSubcommands().get("keys").getSubcommands().keySet()));
  }

  @Test
  void schemaPrintsTheConfigSchemaOrWritesItToTheOutputFile(@TempDir Path dir) throws Exception {
    assertEquals(0, run("schema"));
    assertEquals(gatehouse.config.ConfigSchema.json(), out.toString());
    Path file = dir.resolve("gatehouse.schema.json");
    out.getBuffer().setLength(0);
    assertEquals(0, run("schema", "--output", file.toString()));
    assertEquals("", out.toString());
    assertEquals(gatehouse.config.ConfigSchema.json(), Files.readString(file));
    assertEquals(1, run("schema", "--output", dir.resolve("missing/dir/x.json").toString()));
    assertTrue(err.toString().startsWith("gatehouse schema: cannot write "), err.toString());
  }

  @Test
  void nettysFlightRecorderEventsAreOffUnlessTheCommandLineAsksForThem() {
    String before = System.getProperty(Main.NETTY_JFR);
    try {
      System.clearProperty(Main.NETTY_JFR);
      Main.defaultSystemProperties();
      assertEquals("false", System.getProperty(Main.NETTY_JFR));
      System.setProperty(Main.NETTY_JFR, "true");
      Main.defaultSystemProperties();
      assertEquals("true", System.getProperty(Main.NETTY_JFR));
    } finally {
      if (before == null) System.clearProperty(Main.NETTY_JFR);
      else System.setProperty(Main.NETTY_JFR, before);
    }
  }

  @Test
  void validateAcceptsTheCommentedExamplesWithoutFetchingAnything() {
    for (String example : new String[] {"gatehouse.yaml", "trust.yaml"}) {
      String file = gatehouse.testing.Repository.dir("examples").resolve(example).toString();
      out.getBuffer().setLength(0);
      assertEquals(0, run("validate", "--config", file), err.toString());
      assertTrue(out.toString().startsWith("OK: " + file + " ("), out.toString());
    }
  }

  @Test
  void validatePrintsEveryProblemWithFileLineAndKeyAndExitsNonZero(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, String.join("\n",
        "upstreams:",
        "  orders: {url: \"http://127.0.0.1:9000\"}",
        "routes:",
        "  - {match: {prefix: /api/}, upstream: orders, policy: jtw}",
        "  - {match: {path: /x}, upstream: order}",
        ""));
    assertEquals(1, run("validate", "--config", file.toString()));
    assertEquals(String.join("\n",
        file + ":4: routes[0].policy: unknown policy 'jtw' (expected public, jwt, api_key, mtls, any)",
        file + ":5: routes[1].upstream: unknown upstream 'order' (did you mean 'orders'?)",
        ""), err.toString());
  }

  @Test
  void validateReportsKeyMaterialThatCannotBeUsed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, String.join("\n",
        "upstreams: {app: {url: \"http://127.0.0.1:9000\"}}",
        "auth: {jwt: [{name: main, issuer: \"https://id.example\", jwks_file: jwks.json}]}",
        "routes: [{match: {prefix: /}, upstream: app}]",
        ""));
    assertEquals(1, run("validate", "--config", file.toString()));
    assertEquals(file + ":2: auth.jwt[0].jwks_file: no usable verification key\n", err.toString());
  }

  @Test
  void runRefusesAnInvalidConfigBeforeBindingAnything(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, "listen: {port: 8080}\nroutes: []\n");
    assertEquals(1, run("run", "--config", file.toString()));
    assertTrue(err.toString().contains("gatehouse.yaml:"), err.toString());
  }

  @Test
  void theDemoChecksItselfAndExitsZero() {
    assertEquals(0, run("demo", "--check", "--port", "0", "--admin-port", "0"), out + "\n" + err);
    assertTrue(out.toString().contains("[ ok ] 403  A user on an admin route"), out.toString());
    assertTrue(!out.toString().contains("FAIL"), out.toString());
  }
}
