package gatehouse.server;

import gatehouse.config.AdminApiConfig;
import gatehouse.config.Durations;
import gatehouse.revoke.DenyEntry;
import gatehouse.revoke.DenyList;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny-list endpoints of the admin listener, behind the key admin API's token and address
 * rules ({@link AdminGate}). A token given in a request is hashed at once; neither it nor its hash
 * is logged (an entry is logged by its id).
 *
 * <pre>
 * GET    /denylist          200 {"entries": [...], "shared", "synced"}
 * POST   /denylist          201 {entry, "shared": true}; 202 {entry, "shared": false} while Redis is away
 *                           body: {"jti", "iss"} | {"token"} | {"token_sha256"} | {"sub", "iss"?, "before"?}, "expires_in"?
 * DELETE /denylist/{id}     200 {"removed": id}; 404 unknown id; 503 while Redis is away
 * </pre>
 */
final class DenyListApi {
  private static final Logger log = LoggerFactory.getLogger(DenyListApi.class);
  private static final Pattern ENTRY = Pattern.compile("/denylist/([0-9a-f]{24})");
  private static final Set<String> FIELDS = Set.of("jti", "iss", "token", "token_sha256", "sub", "before", "expires_in");

  private final DenyList list;
  private final AdminGate gate;
  private final Duration defaultExpiry;

  DenyListApi(DenyList list, AdminApiConfig config, Duration defaultExpiry) {
    this.list = list;
    this.gate = new AdminGate(config, "deny-list management");
    this.defaultExpiry = defaultExpiry;
  }

  static boolean handles(String path) {
    return path.equals("/denylist") || path.startsWith("/denylist/");
  }

  /** The reply for one request; never fails. */
  Future<KeyAdminApi.Reply> handle(HttpMethod method, String path, String peer, Optional<String> authorization, Buffer body) {
    Optional<KeyAdminApi.Reply> refused = gate.refuse(peer, authorization);
    if (refused.isPresent()) return Future.succeededFuture(refused.get());
    try {
      return route(method, path, body);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      String message = e instanceof DecodeException ? "the body is not a JSON object"
          : e instanceof ClassCastException ? "a field has the wrong type" : e.getMessage();
      return Future.succeededFuture(KeyAdminApi.Reply.error(400, "invalid_request", message));
    }
  }

  private Future<KeyAdminApi.Reply> route(HttpMethod method, String path, Buffer body) {
    if (path.equals("/denylist")) {
      if (method == HttpMethod.GET) {
        JsonArray entries = new JsonArray();
        list.list().forEach(e -> entries.add(e.toJson()));
        return Future.succeededFuture(KeyAdminApi.Reply.of(200, new JsonObject().put("entries", entries).put("shared", list.isShared()).put("synced", list.synced())));
      }
      if (method == HttpMethod.POST) {
        JsonObject o = body.length() == 0 ? new JsonObject() : new JsonObject(body);
        DenyEntry.Match match = match(o);
        Duration expiresIn = Optional.ofNullable(o.getString("expires_in"))
            .map(t -> Durations.parse(t).orElseThrow(() -> new IllegalArgumentException("expires_in must be " + Durations.FORMS)))
            .orElse(defaultExpiry);
        return list.add(match, expiresIn).map(added -> {
          log.info("denylist: added {} ({}), expires {}{}", added.entry().id(), added.entry().toJson().getString("type"),
              added.entry().expiresAt(), added.shared() ? "" : "; not shared yet: Redis does not answer");
          JsonObject reply = added.entry().toJson().put("shared", added.shared());
          if (!added.shared()) reply.put("message", "enforced on this instance; written to Redis when it answers again");
          return KeyAdminApi.Reply.of(added.shared() ? 201 : 202, reply);
        });
      }
      return Future.succeededFuture(new KeyAdminApi.Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "GET, POST")));
    }
    Matcher m = ENTRY.matcher(path);
    if (!m.matches()) return Future.succeededFuture(KeyAdminApi.Reply.error(404, "not_found", "no such endpoint"));
    if (method != HttpMethod.DELETE) {
      return Future.succeededFuture(new KeyAdminApi.Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "DELETE")));
    }
    String id = m.group(1);
    return list.remove(id).map(held -> {
      if (held) log.info("denylist: removed {}", id);
      return held ? KeyAdminApi.Reply.of(200, new JsonObject().put("removed", id)) : KeyAdminApi.Reply.error(404, "unknown_entry", "no entry has this id");
    }).recover(e -> Future.succeededFuture(new KeyAdminApi.Reply(503, new JsonObject().put("error", "dependency_unavailable")
        .put("message", "removed on this instance; Redis does not answer, the removal is written when it does"), Map.of("Retry-After", "5"))));
  }

  /** Exactly one kind of entry: {@code jti}+{@code iss}, {@code token}, {@code token_sha256}, or {@code sub} (+{@code iss}, {@code before}). */
  static DenyEntry.Match match(JsonObject o) {
    for (String f : o.fieldNames()) {
      if (!FIELDS.contains(f)) throw new IllegalArgumentException("unknown field '" + f + "' (expected jti, iss, token, token_sha256, sub, before, expires_in)");
    }
    int kinds = (o.containsKey("jti") ? 1 : 0) + (o.containsKey("token") ? 1 : 0) + (o.containsKey("token_sha256") ? 1 : 0)
        + (o.containsKey("sub") ? 1 : 0);
    if (kinds != 1) throw new IllegalArgumentException("give exactly one of jti (with iss), token, token_sha256, sub (with before)");
    if (o.containsKey("jti")) {
      if (!o.containsKey("iss")) throw new IllegalArgumentException("jti needs iss: a jti is unique only within its issuer");
      only(o, "jti", "iss");
      return new DenyEntry.Match.Jti(o.getString("iss"), o.getString("jti"));
    }
    if (o.containsKey("token")) {
      only(o, "token");
      String token = o.getString("token");
      if (token == null || token.isEmpty()) throw new IllegalArgumentException("token is empty");
      return new DenyEntry.Match.TokenHash(DenyEntry.sha256(token));
    }
    if (o.containsKey("token_sha256")) {
      only(o, "token_sha256");
      return new DenyEntry.Match.TokenHash(o.getString("token_sha256"));
    }
    only(o, "sub", "iss", "before");
    Instant before;
    try {
      before = Optional.ofNullable(o.getString("before")).map(Instant::parse).orElse(Instant.now());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("before must be an instant such as 2026-12-06T21:00:00Z");
    }
    return new DenyEntry.Match.Subject(Optional.ofNullable(o.getString("iss")), o.getString("sub"), before);
  }

  private static void only(JsonObject o, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (String f : o.fieldNames()) {
      if (!ok.contains(f) && !f.equals("expires_in")) throw new IllegalArgumentException("'" + f + "' does not go with " + allowed[0]);
    }
  }
}
