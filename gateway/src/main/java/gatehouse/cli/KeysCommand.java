package gatehouse.cli;

import gatehouse.Gatehouse;
import gatehouse.authn.apikey.ApiKeyAdmin;
import gatehouse.authn.apikey.ApiKeyAuthenticator;
import gatehouse.authn.apikey.ApiKeyInfo;
import gatehouse.authn.apikey.CreatedKey;
import gatehouse.authn.apikey.KeyEdit;
import gatehouse.authn.apikey.NewKey;
import gatehouse.config.Durations;
import gatehouse.config.GatehouseConfig;
import gatehouse.ratelimit.CalendarQuota;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse keys create|list|revoke|rotate|change|usage}: API-key management against the store
 * named in the config file. Works whether or not a gateway is running, except {@code usage}: a
 * key's counts live in the rate limiter, so it asks a running gateway's admin API. On PostgreSQL each change is
 * announced in its own transaction, so running gateways drop the key from their caches at once
 * (see {@link gatehouse.authn.apikey.KeyChangeListener}); on SQLite a running gateway sees it
 * within {@code cache_ttl}. Exit codes: 0 done, 1 bad input or config, 2 unknown key, 3 the store
 * failed.
 */
@Command(name = "keys", description = "Manage API keys: create, list, revoke, rotate, change, usage.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class, KeysCommand.Rotate.class,
        KeysCommand.Change.class, KeysCommand.Usage.class})
final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options every subcommand takes. */
  static final class Common {
    @Mixin ConfigFile config;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;
  }

  /** Runs {@code action} against the config's store and turns failures into exit codes. */
  abstract static class KeyAction implements Callable<Integer> {
    @Mixin Common common;
    @Spec CommandSpec spec;

    abstract Future<Integer> run(ApiKeyAdmin admin, PrintWriter out);

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      Optional<GatehouseConfig> loaded = common.config.load(err);
      if (loaded.isEmpty()) return 1;
      GatehouseConfig config = loaded.get();
      Vertx vertx = Vertx.vertx();
      ApiKeyAuthenticator store = Gatehouse.keyStore(config, vertx, Clock.systemUTC());
      try {
        return run(store.admin(), spec.commandLine().getOut()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IllegalArgumentException bad) {
          err.println("error: " + bad.getMessage());
          return 1;
        }
        err.println("error: the key store " + store.status().store() + " failed: " + e.getCause().getMessage());
        return 3;
      } finally {
        store.close().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        spec.commandLine().getOut().flush();
      }
    }

    void printKey(PrintWriter out, CreatedKey k) {
      if (common.json) {
        out.println(k.toJson().encode());
        return;
      }
      out.println(k.key().reveal());
      out.println();
      out.println("id:     " + k.info().id());
      out.println("owner:  " + k.info().ownerId());
      out.println("scopes: " + String.join(",", k.info().scopes()));
      out.println("This is the only time the key is shown. Store it now.");
    }
  }

  @Command(name = "create", description = "Create a key and print it, once.")
  static final class Create extends KeyAction {
    @Option(names = "--owner", required = true, description = "Who the key belongs to; sent upstream as X-Owner-Id.") String owner;
    @Option(names = "--scopes", split = ",", description = "Comma-separated scopes, e.g. orders:read,orders:write.") List<String> scopes = List.of();
    @Option(names = "--rate-limit", description = "Requests per minute (default: no limit).") Integer rateLimit;
    @Option(names = "--quota", description = "Requests per calendar day or month in UTC, e.g. 10000/day or 250000/month (default: none).") String quota;
    @Option(names = "--expires", description = "Lifetime, e.g. 90d (default: until revoked).") String expires;
    @Option(names = "--name", description = "A label, e.g. ci-bot.") String name;

    @Override
    Future<Integer> run(ApiKeyAdmin admin, PrintWriter out) {
      Optional<Duration> expiresIn = Optional.empty();
      if (expires != null) {
        expiresIn = Durations.parse(expires);
        if (expiresIn.isEmpty()) return Future.failedFuture(new IllegalArgumentException("--expires must be " + Durations.FORMS));
      }
      Set<String> s = new LinkedHashSet<>();
      scopes.stream().map(String::strip).filter(x -> !x.isEmpty()).forEach(s::add);
      Optional<CalendarQuota> q = Optional.empty();
      if (quota != null) {
        q = CalendarQuota.parse(quota);
        if (q.isEmpty()) return Future.failedFuture(new IllegalArgumentException("--quota must be " + CalendarQuota.FORMS));
      }
      return admin.create(new NewKey(owner, Optional.ofNullable(name), s, Optional.ofNullable(rateLimit), q, expiresIn)).map(k -> {
        printKey(out, k);
        return 0;
      });
    }
  }

  @Command(name = "list", description = "List keys: never a secret; prefix, owner, scopes, limit, quota, last used, state.")
  static final class ListKeys extends KeyAction {
    @Option(names = "--owner", description = "Only this owner's keys.") String owner;

    @Override
    Future<Integer> run(ApiKeyAdmin admin, PrintWriter out) {
      return admin.list(Optional.ofNullable(owner)).map(keys -> {
        if (common.json) {
          JsonArray list = new JsonArray();
          keys.forEach(k -> list.add(k.toJson()));
          out.println(new JsonObject().put("keys", list).encode());
          return 0;
        }
        out.printf("%-21s %-13s %-16s %-12s %-28s %-7s %-13s %-20s %s%n", "ID", "PREFIX", "OWNER", "NAME", "SCOPES", "LIMIT", "QUOTA", "LAST USED",
            "STATE");
        for (ApiKeyInfo k : keys) {
          out.printf("%-21s %-13s %-16s %-12s %-28s %-7s %-13s %-20s %s%n", k.id(), k.prefix(), k.ownerId(), k.name().orElse("-"),
              k.scopes().isEmpty() ? "-" : String.join(",", k.scopes()), k.rateLimit().map(l -> l + "/m").orElse("-"),
              k.quota().map(CalendarQuota::toString).orElse("-"),
              k.lastUsedAt().map(KeysCommand::seconds).orElse("never"),
              k.state().name().toLowerCase(java.util.Locale.ROOT) + k.expiresAt().filter(e -> k.state() == ApiKeyInfo.State.ACTIVE)
                  .map(e -> " until " + seconds(e)).orElse(""));
        }
        return 0;
      });
    }
  }

  @Command(name = "revoke", description = "Revoke a key: refused by running gateways at once on PostgreSQL, within cache_ttl on SQLite.")
  static final class Revoke extends KeyAction {
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    Future<Integer> run(ApiKeyAdmin admin, PrintWriter out) {
      return admin.revoke(id).map(k -> {
        if (k.isEmpty()) {
          spec.commandLine().getErr().println("error: no key has the id " + id);
          return 2;
        }
        out.println(common.json ? k.get().toJson().encode() : "revoked " + id);
        return 0;
      });
    }
  }

  @Command(name = "rotate", description = "Replace a key with a new one; the old one keeps working for --grace.")
  static final class Rotate extends KeyAction {
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Option(names = "--grace", defaultValue = "0s", description = "How long the old key keeps working, e.g. 24h (default: revoked at once).") String grace;

    @Override
    Future<Integer> run(ApiKeyAdmin admin, PrintWriter out) {
      Optional<Duration> g = Durations.parse(grace);
      if (g.isEmpty()) return Future.failedFuture(new IllegalArgumentException("--grace must be " + Durations.FORMS));
      return admin.rotate(id, g.get()).map(k -> {
        if (k.isEmpty()) {
          spec.commandLine().getErr().println("error: no active key has the id " + id);
          return 2;
        }
        if (common.json) {
          out.println(k.get().toJson().put("replaces", id).encode());
        } else {
          printKey(out, k.get());
          out.println(g.get().isZero() ? "The old key " + id + " is revoked." : "The old key " + id + " works until " + seconds(Instant.now().plus(g.get())) + ".");
        }
        return 0;
      });
    }
  }

  @Command(name = "change", description = "Change a key's scopes, rate limit, quota or name; the key itself stays the same.")
  static final class Change extends KeyAction {
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Option(names = "--scopes", split = ",", description = "The key's scopes from now on, all of them, e.g. orders:read.") List<String> scopes;
    @Option(names = "--rate-limit", description = "Requests per minute from now on.") Integer rateLimit;
    @Option(names = "--no-rate-limit", description = "Remove the key's rate limit.") boolean noRateLimit;
    @Option(names = "--quota", description = "Requests per calendar day or month in UTC from now on, e.g. 10000/day.") String quota;
    @Option(names = "--no-quota", description = "Remove the key's quota.") boolean noQuota;
    @Option(names = "--name", description = "A new label.") String name;

    @Override
    Future<Integer> run(ApiKeyAdmin admin, PrintWriter out) {
      if (noRateLimit && rateLimit != null) return Future.failedFuture(new IllegalArgumentException("--rate-limit and --no-rate-limit exclude each other"));
      if (rateLimit != null && rateLimit == KeyEdit.NO_LIMIT) {
        return Future.failedFuture(new IllegalArgumentException("rate limit must be between 1 and 1000000 requests per minute"));
      }
      Optional<Set<String>> s = Optional.ofNullable(scopes).map(l -> {
        Set<String> set = new LinkedHashSet<>();
        l.stream().map(String::strip).filter(x -> !x.isEmpty()).forEach(set::add);
        return set;
      });
      Optional<Integer> limit = noRateLimit ? Optional.of(KeyEdit.NO_LIMIT) : Optional.ofNullable(rateLimit);
      if (noQuota && quota != null) return Future.failedFuture(new IllegalArgumentException("--quota and --no-quota exclude each other"));
      Optional<Optional<CalendarQuota>> q = noQuota ? Optional.of(Optional.empty()) : Optional.empty();
      if (quota != null) {
        Optional<CalendarQuota> parsed = CalendarQuota.parse(quota);
        if (parsed.isEmpty()) return Future.failedFuture(new IllegalArgumentException("--quota must be " + CalendarQuota.FORMS));
        q = Optional.of(parsed);
      }
      return admin.change(id, new KeyEdit(s, limit, Optional.ofNullable(name), q)).map(k -> {
        if (k.isEmpty()) {
          spec.commandLine().getErr().println("error: no key has the id " + id);
          return 2;
        }
        out.println(common.json ? k.get().toJson().encode() : "changed " + id);
        return 0;
      });
    }
  }

  /**
   * {@code keys usage ID}: the key's rate limit and quota as a running gateway counts them, from its
   * admin API ({@code GET /keys/{id}/usage}, with the config's admin token); on Redis every instance
   * answers the same. Exit codes: 0 done, 1 bad input or config, 2 unknown key, 3 the gateway did
   * not answer.
   */
  @Command(name = "usage", description = "Show a key's rate limit (remaining, reset) and quota (used, remaining, window), read from a running gateway.")
  static final class Usage implements Callable<Integer> {
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_]{1,40}");
    @Mixin Common common;
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Option(names = "--admin-url", description = "The gateway's admin listener (default: the config's admin host and port), e.g. http://127.0.0.1:9901.")
    String adminUrl;
    @Option(names = "--admin-token-file", description = "A file holding the admin token (default: the config's auth.api_keys.admin_api.token).")
    java.nio.file.Path tokenFile;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter out = spec.commandLine().getOut();
      Optional<GatehouseConfig> loaded = common.config.load(err);
      if (loaded.isEmpty()) return 1;
      GatehouseConfig config = loaded.get();
      if (!ID.matcher(id).matches()) {
        err.println("error: a key id is 1 to 40 letters, digits or '_'");
        return 1;
      }
      Optional<String> token = config.auth().keyStore().adminApi().token();
      if (tokenFile != null) {
        try {
          token = Optional.of(java.nio.file.Files.readString(tokenFile).strip()).filter(t -> !t.isEmpty());
        } catch (java.io.IOException e) {
          err.println("error: cannot read --admin-token-file " + tokenFile + ": " + e.getMessage());
          return 1;
        }
      }
      if (token.isEmpty()) {
        err.println("error: " + config.source() + ": usage is read from a running gateway's admin API, which is off: set auth.api_keys.admin_api.token"
            + " (or give --admin-token-file)");
        return 1;
      }
      String base = adminUrl != null ? adminUrl.replaceAll("/+$", "") : "http://" + loopbackIfAny(config.admin().host()) + ":" + config.admin().port();
      java.net.http.HttpResponse<String> response;
      try {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/keys/" + id + "/usage"))
            .header("Authorization", "Bearer " + token.get()).timeout(Duration.ofSeconds(10)).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException | IllegalArgumentException e) {
        err.println("error: the gateway's admin API at " + base + " did not answer: " + e.getMessage());
        return 3;
      }
      if (response.statusCode() == 404) {
        err.println("error: no key has the id " + id);
        return 2;
      }
      JsonObject body;
      try {
        body = new JsonObject(response.body());
      } catch (RuntimeException e) {
        body = new JsonObject();
      }
      if (response.statusCode() != 200) {
        err.println("error: the gateway's admin API at " + base + " answered " + response.statusCode() + ": " + body.getString("message", "no message"));
        return 3;
      }
      if (common.json) {
        out.println(body.encode());
      } else {
        print(out, body);
      }
      out.flush();
      return 0;
    }

    private static void print(PrintWriter out, JsonObject u) {
      out.println("id:         " + u.getString("id"));
      JsonObject r = u.getJsonObject("rate_limit");
      out.println("rate limit: " + (r == null ? "none"
          : r.getLong("remaining") + " of " + r.getLong("limit") + " per " + r.getLong("window_seconds") + "s left, full in " + r.getLong("reset_seconds") + "s"));
      JsonObject q = u.getJsonObject("quota");
      out.println("quota:      " + (q == null ? "none"
          : q.getLong("used") + " of " + q.getLong("limit") + " per " + q.getString("period") + " used, " + q.getLong("remaining") + " left; window "
              + q.getString("window_start") + " to " + q.getString("window_end")));
    }

    /** An admin listener on every address is reached on loopback. */
    private static String loopbackIfAny(String host) {
      if (host.equals("0.0.0.0")) return "127.0.0.1";
      if (host.equals("::") || host.equals("[::]")) return "[::1]";
      return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
  }

  private static String seconds(Instant i) {
    return i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
