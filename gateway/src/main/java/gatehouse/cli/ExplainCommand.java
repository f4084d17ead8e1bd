package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigException;
import gatehouse.config.GatehouseConfig;
import gatehouse.explain.Explainer;
import gatehouse.explain.Explanation;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse explain --config F [--method M] URL [-H 'Name: value']... [--offline] [--json]}:
 * what the gateway would do with one request, stage by stage, without serving or forwarding it.
 * Exit 0: forwarded; 1: refused; 3: undetermined (a dependency could not be checked); 2: usage or config error.
 */
@Command(name = "explain", description = {
    "Explain what the gateway would do with one request, stage by stage, without starting a server or contacting an upstream.",
    "Exit 0: forwarded; 1: refused; 3: undetermined (keys not fetched, key store unreachable); 2: usage or config error."})
final class ExplainCommand implements Callable<Integer> {
  @Mixin ConfigFile config;

  @Option(names = {"-X", "--method"}, defaultValue = "GET", description = "The request method (default GET).")
  String method;

  @Parameters(index = "0", paramLabel = "URL", description = "http(s)://host[:port]/path?query, or /path?query (sent as written).")
  String url;

  @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "A request header; repeat for more.")
  List<String> headers = new ArrayList<>();

  @Option(names = "--client", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "The address the request comes from, as the gateway's peer (default 127.0.0.1).")
  String client;

  @Option(names = "--offline", description = "Fetch no remote keys and ask no introspection endpoint: such tokens stay unverified.")
  boolean offline;

  @Option(names = "--json", description = "Print the explanation as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<GatehouseConfig> loaded = config.load(err);
    if (loaded.isEmpty()) return Explainer.USAGE;
    List<Map.Entry<String, String>> parsed = new ArrayList<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        err.println("-H '" + h + "': expected 'Name: value'");
        return Explainer.USAGE;
      }
      parsed.add(Map.entry(h.substring(0, colon).trim(), h.substring(colon + 1).trim()));
    }
    GatehouseConfig c = loaded.get();
    Explainer.Request request = new Explainer.Request(method, url, parsed, client, Optional.empty(), offline);
    Vertx vertx = Vertx.vertx();
    try {
      Explanation e = Explainer.explain(c, request, vertx,
          (limiter, trace) -> Gatehouse.explainStages(c, vertx, Clock.systemUTC(), offline, limiter, trace));
      spec.commandLine().getOut().print(json ? e.jsonText() + "\n" : e.text());
      spec.commandLine().getOut().flush();
      return e.exitCode();
    } catch (ConfigException e) {
      ConfigFile.print(e, err);
      return Explainer.USAGE;
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return Explainer.USAGE;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
  }
}
