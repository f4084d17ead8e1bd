package gatehouse.explain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What {@link Explainer} found: {@link #json()} is the whole of it ({@code --json}); {@link #text()}
 * renders the same for people, one section per stage.
 *
 * @param exitCode {@link Explainer#FORWARDED}, {@link Explainer#REFUSED} or {@link Explainer#UNDETERMINED}
 */
public record Explanation(JsonObject json, int exitCode) {

  /** The JSON, indented. */
  public String jsonText() {
    return json.encodePrettily();
  }

  /** The explanation as lines of text. */
  public String text() {
    StringBuilder out = new StringBuilder();
    JsonObject req = json.getJsonObject("request");
    line(out, 0, "request   " + req.getString("method") + " " + req.getString("target") + "  Host: " + req.getString("host")
        + (req.getBoolean("tls") ? "  (TLS)" : "") + "  from " + req.getString("client_address"));

    JsonObject target = json.getJsonObject("target");
    if ("parsed".equals(target.getString("result"))) {
      line(out, 0, "target    normalised to " + target.getString("path") + (target.containsKey("query") ? " ?" + target.getString("query") : ""));
    } else {
      section(out, "target", target);
    }

    JsonObject route = json.getJsonObject("route");
    if (route != null) {
      String result = route.getString("result");
      if (result.equals("matched")) {
        line(out, 0, "route     " + route.getString("id") + " (line " + route.getInteger("line") + ": " + route.getString("match") + ") -> upstream "
            + route.getString("upstream"));
      } else {
        section(out, "route", route);
      }
      JsonArray skipped = route.getJsonArray("skipped", new JsonArray());
      for (int i = 0; i < skipped.size(); i++) {
        JsonObject s = skipped.getJsonObject(i);
        line(out, 1, "skipped " + s.getString("id") + " (line " + s.getInteger("line") + "): " + String.join("; ", strings(s.getJsonArray("reasons")))
            + (s.getBoolean("matches_ignoring_case") ? "; would match if case were ignored" : ""));
      }
    }
    JsonObject policy = json.getJsonObject("policy");
    if (policy != null) line(out, 0, "policy    " + policy.encode());
    section(out, "credential", json.getJsonObject("credential"));

    JsonObject authn = json.getJsonObject("authentication");
    section(out, "authn", authn);
    JsonArray steps = authn.getJsonArray("steps", new JsonArray());
    for (int i = 0; i < steps.size(); i++) {
      JsonObject s = steps.getJsonObject(i);
      line(out, 1, String.format("%-10s %-12s %s", s.getString("step"), s.getString("result"), s.getString("detail", "")).stripTrailing());
    }
    JsonObject keys = authn.getJsonObject("keys");
    if (keys != null) {
      line(out, 1, "keys of " + keys.getString("provider") + ": " + keys.getString("source") + " " + keys.getJsonArray("keys").encode()
          + (keys.containsKey("last_error") ? ", last error: " + keys.getString("last_error") : ""));
    }
    if (authn.containsKey("identity")) line(out, 1, "identity " + authn.getJsonObject("identity").encode());
    section(out, "authz", json.getJsonObject("authorization"));

    JsonObject limits = json.getJsonObject("limits");
    line(out, 0, "limits    " + limits.getString("result") + " (no token taken)");
    for (String kind : List.of("buckets", "failed_auth")) {
      JsonArray b = limits.getJsonArray(kind, new JsonArray());
      for (int i = 0; i < b.size(); i++) {
        JsonObject bucket = b.getJsonObject(i);
        line(out, 1, (kind.equals("failed_auth") ? "a refused credential counts against " : "") + bucket.getString("bucket") + ": "
            + bucket.getLong("requests") + " per " + bucket.getString("per"));
      }
    }
    JsonObject identity = json.getJsonObject("identity_headers");
    section(out, "identity", identity);

    JsonObject outcome = json.getJsonObject("outcome");
    if (outcome.getString("result").equals("forward")) {
      JsonObject up = json.getJsonObject("upstream");
      line(out, 0, "outcome   forward to " + up.getString("name") + " (" + up.getString("url") + ")");
      line(out, 1, up.getString("method") + " " + up.getString("target") + " HTTP/1.1");
      JsonArray headers = up.getJsonArray("headers");
      for (int i = 0; i < headers.size(); i++) {
        JsonObject h = headers.getJsonObject(i);
        line(out, 1, h.getString("name") + ": " + h.getString("value"));
      }
      if (up.getJsonArray("varies").size() > 1) line(out, 1, "(values differ per request: " + String.join(", ", strings(up.getJsonArray("varies"))) + ")");
    } else {
      line(out, 0, "outcome   " + outcome.getString("result") + ": " + outcome.getInteger("status") + " " + outcome.getString("code") + " ("
          + outcome.getString("message") + ")");
    }
    JsonArray notes = json.getJsonArray("notes");
    for (int i = 0; i < notes.size(); i++) line(out, 0, "note      " + notes.getString(i));
    JsonArray notEvaluated = json.getJsonArray("not_evaluated");
    line(out, 0, "not evaluated (only a running gateway knows these; its answer may differ because of them):");
    for (int i = 0; i < notEvaluated.size(); i++) {
      JsonObject n = notEvaluated.getJsonObject(i);
      line(out, 1, String.format("%-19s", n.getString("check")) + n.getString("detail"));
    }
    return out.toString();
  }

  /** {@code name  result  the other fields as key=value}. */
  private static void section(StringBuilder out, String name, JsonObject o) {
    StringBuilder s = new StringBuilder(String.format("%-10s", name + " ")).append(o.getString("result"));
    for (String key : o.fieldNames()) {
      Object v = o.getValue(key);
      if (key.equals("result") || key.equals("steps") || key.equals("keys") || key.equals("identity") || key.equals("skipped")) continue;
      if (v instanceof JsonArray a && a.isEmpty()) continue;
      if (v instanceof JsonObject j && j.isEmpty()) continue;
      s.append("  ").append(key).append('=').append(v instanceof String str ? str : io.vertx.core.json.Json.encode(v));
    }
    line(out, 0, s.toString());
  }

  private static List<String> strings(JsonArray a) {
    return a.stream().map(String::valueOf).toList();
  }

  private static void line(StringBuilder out, int indent, String text) {
    out.append("  ".repeat(indent * 2)).append(text).append('\n');
  }
}
