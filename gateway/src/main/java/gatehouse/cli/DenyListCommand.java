package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.config.Durations;
import gatehouse.config.GatehouseConfig;
import gatehouse.revoke.DenyEntry;
import gatehouse.revoke.DenyList;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse denylist add|list|remove}: the token deny-list on the Redis of the config's
 * {@code redis} section, which every gateway sharing it follows within a second. Without {@code
 * redis} there is no list outside a running gateway (use its admin API). A token is read from
 * standard input, never from the command line (where {@code ps} and shell history would keep it).
 * Exit codes: 0 done, 1 bad input or config, 2 unknown entry, 3 Redis failed.
 */
@Command(name = "denylist", description = "Manage the token deny-list on Redis: add, list, remove.",
    subcommands = {DenyListCommand.Add.class, DenyListCommand.ListEntries.class, DenyListCommand.Remove.class})
final class DenyListCommand implements Runnable {
  /** How long a command waits for Redis to load the list. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Loads the config, follows the list on its Redis, runs the action and turns failures into exit codes. */
  abstract static class Action implements Callable<Integer> {
    @Mixin ConfigFile config;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    abstract Future<Integer> run(DenyList list, GatehouseConfig config, PrintWriter out);

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      Optional<GatehouseConfig> loaded = config.load(err);
      if (loaded.isEmpty()) return 1;
      GatehouseConfig c = loaded.get();
      if (c.redis().isEmpty()) {
        err.println("error: " + c.source() + ": the deny-list is shared through redis:, which this config does not set;"
            + " a single gateway without Redis keeps its list in memory: use its admin API (/denylist)");
        return 1;
      }
      Vertx vertx = Vertx.vertx();
      DenyList list = DenyList.shared(vertx, c.redis().get(), Clock.systemUTC());
      try {
        list.ready().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return run(list, c, spec.commandLine().getOut()).toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        err.println("error: redis " + c.redis().get().endpoints() + " did not answer within " + WAIT.toSeconds() + "s");
        return 3;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IllegalArgumentException bad) {
          err.println("error: " + bad.getMessage());
          return 1;
        }
        err.println("error: redis " + c.redis().get().endpoints() + " failed: " + e.getCause().getMessage());
        return 3;
      } finally {
        list.close().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        spec.commandLine().getOut().flush();
      }
    }

    void print(PrintWriter out, DenyEntry e) {
      JsonObject j = e.toJson();
      if (json) {
        out.println(j.encode());
        return;
      }
      String what = switch (j.getString("type")) {
        case "jti" -> "jti " + j.getString("jti") + " iss " + j.getString("iss");
        case "token" -> "token sha256 " + j.getString("token_sha256");
        default -> "sub " + j.getString("sub") + (j.containsKey("iss") ? " iss " + j.getString("iss") : "") + " before " + j.getString("before");
      };
      out.printf("%-24s %-20s %s%n", e.id(), e.expiresAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), what);
    }
  }

  /** Exactly one kind of entry. */
  static final class Kind {
    @ArgGroup(exclusive = false) JtiKind jti;
    @Option(names = "--token-stdin", description = "Read the token from standard input (it is hashed, never stored).") boolean tokenStdin;
    @Option(names = "--token-sha256", description = "The SHA-256 of the token, 64 hex digits.") String sha256;
    @ArgGroup(exclusive = false) SubjectKind subject;
  }

  static final class JtiKind {
    @Option(names = "--jti", required = true, description = "The token's jti.") String jti;
    @Option(names = "--iss", required = true, description = "The issuer of the jti (the token's iss).") String iss;
  }

  static final class SubjectKind {
    @Option(names = "--sub", required = true, description = "Refuse this subject's tokens issued before --before.") String sub;
    @Option(names = "--sub-iss", description = "Only this issuer's tokens of the subject (default: any issuer).") String iss;
    @Option(names = "--before", description = "The cut-off instant, e.g. 2026-12-06T21:00:00Z (default: now).") String before;
  }

  @Command(name = "add", description = "Deny a token: by jti and iss, by the token (stdin) or its SHA-256, or a subject's tokens issued before a time.")
  static final class Add extends Action {
    @ArgGroup(exclusive = true, multiplicity = "1") Kind kind;
    @Option(names = "--expires", description = "How long the entry is kept, e.g. 24h (default: the longest max_token_lifetime, else 1d).") String expires;

    @Override
    Future<Integer> run(DenyList list, GatehouseConfig config, PrintWriter out) {
      Duration keep = Gatehouse.defaultDenyExpiry(config);
      if (expires != null) {
        Optional<Duration> d = Durations.parse(expires);
        if (d.isEmpty()) return Future.failedFuture(new IllegalArgumentException("--expires must be " + Durations.FORMS));
        keep = d.get();
      }
      DenyEntry.Match match;
      try {
        match = match();
      } catch (IllegalArgumentException | IOException e) {
        return Future.failedFuture(e instanceof IllegalArgumentException ? e : new IllegalArgumentException("cannot read the token: " + e.getMessage()));
      }
      return list.add(match, keep).compose(added -> {
        if (!added.shared()) return Future.failedFuture(new IllegalStateException("redis did not take the entry"));
        print(out, added.entry());
        return Future.succeededFuture(0);
      });
    }

    private DenyEntry.Match match() throws IOException {
      if (kind.jti != null) return new DenyEntry.Match.Jti(kind.jti.iss, kind.jti.jti);
      if (kind.sha256 != null) return new DenyEntry.Match.TokenHash(kind.sha256.strip().toLowerCase(java.util.Locale.ROOT));
      if (kind.tokenStdin) {
        String token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (token == null || token.strip().isEmpty()) throw new IllegalArgumentException("no token on standard input");
        return new DenyEntry.Match.TokenHash(DenyEntry.sha256(token.strip()));
      }
      Instant before;
      try {
        before = kind.subject.before == null ? Instant.now() : Instant.parse(kind.subject.before);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--before must be an instant such as 2026-12-06T21:00:00Z");
      }
      return new DenyEntry.Match.Subject(Optional.ofNullable(kind.subject.iss), kind.subject.sub, before);
    }
  }

  @Command(name = "list", description = "List the entries in force: id, expiry, what they match (a token only by its SHA-256).")
  static final class ListEntries extends Action {
    @Override
    Future<Integer> run(DenyList list, GatehouseConfig config, PrintWriter out) {
      if (json) {
        JsonArray all = new JsonArray();
        list.list().forEach(e -> all.add(e.toJson()));
        out.println(new JsonObject().put("entries", all).encode());
        return Future.succeededFuture(0);
      }
      out.printf("%-24s %-20s %s%n", "ID", "EXPIRES", "MATCHES");
      list.list().forEach(e -> print(out, e));
      return Future.succeededFuture(0);
    }
  }

  @Command(name = "remove", description = "Remove an entry: its tokens are accepted again on every instance.")
  static final class Remove extends Action {
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    Future<Integer> run(DenyList list, GatehouseConfig config, PrintWriter out) {
      return list.remove(id).map(held -> {
        if (!held) {
          spec.commandLine().getErr().println("error: no entry has the id " + id);
          return 2;
        }
        out.println(json ? new JsonObject().put("removed", id).encode() : "removed " + id);
        return 0;
      });
    }
  }
}
