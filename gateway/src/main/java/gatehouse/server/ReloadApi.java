package gatehouse.server;

import gatehouse.config.AdminApiConfig;
import gatehouse.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /reload} on the admin listener, behind the admin API's token and address rules
 * ({@link AdminGate}).
 *
 * <pre>
 * POST /reload   200 {"result": "success", "generation", "sha256"}
 *                422 {"result": "failure" | "refused", "generation", "sha256", "errors": [{"file", "line", "key", "message", "text"}]}
 *                    (the config served, unchanged)
 * </pre>
 */
final class ReloadApi {
  private final Reloads reloads;
  private final AdminGate gate;

  ReloadApi(Reloads reloads, AdminApiConfig config) {
    this.reloads = reloads;
    this.gate = new AdminGate(config, "reloading the config");
  }

  static boolean handles(String path) {
    return path.equals("/reload");
  }

  Future<KeyAdminApi.Reply> handle(String method, String peer, Optional<String> authorization) {
    Optional<KeyAdminApi.Reply> refused = gate.refuse(peer, authorization);
    if (refused.isPresent()) return Future.succeededFuture(refused.get());
    if (!method.equals("POST")) {
      return Future.succeededFuture(new KeyAdminApi.Reply(405, new JsonObject().put("error", "method_not_allowed"),
          java.util.Map.of("Allow", "POST")));
    }
    return reloads.reload("POST /reload").map(ReloadApi::reply);
  }

  private static KeyAdminApi.Reply reply(Reloads.Result result) {
    if (result instanceof Reloads.Applied a) {
      return KeyAdminApi.Reply.of(200, version(a.version()).put("result", result.label()));
    }
    if (!(result instanceof Reloads.NotApplied notApplied)) throw new AssertionError("unknown result " + result);
    List<ConfigException.Problem> problems = notApplied.problems();
    JsonArray errors = new JsonArray();
    problems.forEach(p -> errors.add(new JsonObject().put("file", p.file()).put("line", p.line()).put("key", p.key())
        .put("message", p.message()).put("text", p.toString())));
    return KeyAdminApi.Reply.of(422, new JsonObject().put("result", result.label()).put("errors", errors));
  }

  static JsonObject version(Reloads.Version v) {
    return new JsonObject().put("generation", v.generation()).put("sha256", v.sha256());
  }
}
