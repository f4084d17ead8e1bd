package gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.config.ListenerConfig;
import gatehouse.testing.Repository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gatehouse validate} and starting the gateway accept exactly the same files, and refuse
 * the others with the same problems, none at line 0: over every {@code examples/*.yaml} and every
 * fixture under {@code config/accepted} and {@code config/refused} of the test resources.
 */
class ValidateAndRunAgreeTest {
  private static final Path FIXTURES = Repository.dir("gateway/src/test/resources/config");
  private static final Pattern HOST = Pattern.compile("://([A-Za-z][A-Za-z0-9.-]*)");

  @TempDir Path tmp;

  static List<Path> files() throws IOException {
    List<Path> all = new ArrayList<>();
    for (Path dir : List.of(Repository.dir("examples"), FIXTURES.resolve("accepted"), FIXTURES.resolve("refused"))) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(all::add);
      }
    }
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void validateAndRunAgree(Path original) throws Exception {
    // A copy, so that what run creates (an example's SQLite key store) stays out of the tree.
    Path dir = copy(original.getParent(), tmp.resolve("files"));
    Path file = dir.resolve(original.getFileName());
    List<String> validated = validate(file);
    List<String> ran = run(file);
    assertEquals(validated, ran, "validate and run disagree on " + original);
    boolean refused = original.getParent().getFileName().toString().equals("refused");
    assertEquals(refused, !validated.isEmpty(), original + (refused ? " is a refused fixture, but was accepted" : ": " + validated));
    for (String problem : validated) {
      assertTrue(problem.startsWith(file + ":"), problem);
      assertFalse(problem.startsWith(file + ":0:"), "reported at line 0: " + problem);
    }
  }

  /** What {@code gatehouse validate} prints as problems; empty when it says OK. */
  private static List<String> validate(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("validate", "--config", file.toString());
    List<String> problems = err.toString().lines().toList();
    assertEquals(code == 0, problems.isEmpty(), "exit " + code + ", stderr " + err);
    return problems;
  }

  /**
   * The problems of starting the gateway on {@code file} (listeners moved to 127.0.0.1, port 0),
   * then closing it; empty when it started. Every host name in the file resolves to 127.0.0.1, so
   * key sets that start fetching at once reach nothing but this machine.
   */
  private static List<String> run(Path file) throws Exception {
    GatehouseConfig config;
    try {
      config = ConfigLoader.load(file);
    } catch (ConfigException e) {
      return e.problems().stream().map(Object::toString).toList();
    }
    GatehouseConfig local = new GatehouseConfig(config.source(), loopback(config.listen()), loopback(config.admin()),
        config.upstreams(), config.auth(), config.identity(), config.forwarding(), config.limits(), config.defaultPolicy(),
        config.routes(), config.crypto(), config.transport(), config.accessLog(), config.rateLimits(), config.redis(), config.tracing(), config.shutdown(), config.lines());
    Vertx vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(
        new AddressResolverOptions().setHostsValue(Buffer.buffer(hosts(Files.readString(file))))));
    try {
      Gatehouse gateway = await(Gatehouse.start(local, Clock.systemUTC(), vertx, false));
      await(gateway.close());
      return List.of();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) return ce.problems().stream().map(Object::toString).toList();
      return List.of("the gateway did not start: " + e.getCause());
    } finally {
      await(vertx.close());
    }
  }

  private static ListenerConfig loopback(ListenerConfig l) {
    return new ListenerConfig("127.0.0.1", 0, l.h2c(), l.tls());
  }

  /** A hosts file that maps every host name {@code yaml} mentions in a URL to 127.0.0.1. */
  private static String hosts(String yaml) {
    Set<String> names = new TreeSet<>();
    Matcher m = HOST.matcher(yaml);
    while (m.find()) names.add(m.group(1));
    StringBuilder out = new StringBuilder("127.0.0.1 localhost\n");
    for (String name : names) out.append("127.0.0.1 ").append(name).append('\n');
    return out.toString();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    return to;
  }
}
