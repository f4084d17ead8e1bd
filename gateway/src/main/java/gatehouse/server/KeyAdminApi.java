package gatehouse.server;

import gatehouse.authn.apikey.ApiKeyAdmin;
import gatehouse.authn.apikey.ApiKeyInfo;
import gatehouse.authn.apikey.KeyEdit;
import gatehouse.authn.apikey.NewKey;
import gatehouse.config.AdminApiConfig;
import gatehouse.config.Durations;
import gatehouse.limit.KeyUsage;
import gatehouse.logging.ThrottledLogs;
import gatehouse.ratelimit.CalendarQuota;
import gatehouse.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key-management endpoints of the admin listener, as values: {@link AdminServer} writes the
 * {@link Reply}. The peer is checked before the token (a refused peer learns nothing about it),
 * and the token is compared in constant time.
 *
 * <pre>
 * GET  /keys[?owner=O]        200 {"keys": [...]}
 * POST /keys                  201 {"id", "key", ...}   body {"owner", "scopes", "rate_limit", "quota", "expires_in", "name"}
 * POST /keys/{id}/revoke      200 {...}                404 unknown id
 * POST /keys/{id}/rotate      201 {"id", "key", ...}   body {"grace": "24h"}; 404 unknown or inactive id
 * PATCH /keys/{id}            200 {...}                body {"scopes", "rate_limit" (null: none), "quota" (null: none), "name"}; 404 unknown id
 * GET  /keys/{id}/usage       200 {"id", "rate_limit", "quota"}   read without counting; 404 unknown id; 503 limiter unreadable
 * </pre>
 *
 * A quota is written {@code "1000/day"} or {@code "50000/month"} (calendar windows in UTC).
 */
final class KeyAdminApi {
  private static final Pattern KEY_ACTION = Pattern.compile("/keys/([A-Za-z0-9_]{1,40})/(revoke|rotate)");
  private static final Pattern KEY_USAGE = Pattern.compile("/keys/([A-Za-z0-9_]{1,40})/usage");
  private static final Pattern KEY = Pattern.compile("/keys/([A-Za-z0-9_]{1,40})");
  static final int MAX_BODY = 16 * 1024;

  /** A reply to write: status, JSON body and extra headers. */
  record Reply(int status, JsonObject body, Map<String, String> headers) {
    static Reply of(int status, JsonObject body) {
      return new Reply(status, body, Map.of());
    }

    static Reply error(int status, String code, String message) {
      return of(status, new JsonObject().put("error", code).put("message", message));
    }
  }

  private final ApiKeyAdmin admin;
  private final RateLimiter limiter;
  private final AdminGate gate;
  /** Each request fails alike while the key store is down: one line per kind per window, with a count. */
  private final ThrottledLogs failures;

  /** {@code failures} outlives this instance, which serves one request. */
  KeyAdminApi(ApiKeyAdmin admin, RateLimiter limiter, AdminApiConfig config, ThrottledLogs failures) {
    this.failures = failures;
    this.admin = admin;
    this.limiter = limiter;
    this.gate = new AdminGate(config, "key management");
  }

  static boolean handles(String path) {
    return path.equals("/keys") || path.startsWith("/keys/");
  }

  /** The reply for one request; {@code body} is the request body (empty for GET). Never fails. */
  Future<Reply> handle(HttpMethod method, String path, Optional<String> owner, String peer, Optional<String> authorization, Buffer body) {
    Optional<Reply> refused = gate.refuse(peer, authorization);
    if (refused.isPresent()) return Future.succeededFuture(refused.get());
    Future<Reply> reply;
    try {
      reply = route(method, path, owner, body);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      reply = Future.succeededFuture(Reply.error(400, "invalid_request", message(e)));
    }
    return reply.recover(e -> {
      if (e instanceof IllegalArgumentException) return Future.succeededFuture(Reply.error(400, "invalid_request", e.getMessage()));
      failures.warn("store", "key management failed: {}", e.toString());
      return Future.succeededFuture(new Reply(503, new JsonObject().put("error", "dependency_unavailable")
          .put("message", "the key store cannot be reached"), Map.of("Retry-After", "5")));
    });
  }

  private Future<Reply> route(HttpMethod method, String path, Optional<String> owner, Buffer body) {
    if (path.equals("/keys")) {
      if (method == HttpMethod.GET) {
        return admin.list(owner).map(keys -> {
          JsonArray list = new JsonArray();
          keys.forEach(k -> list.add(k.toJson()));
          return Reply.of(200, new JsonObject().put("keys", list));
        });
      }
      if (method == HttpMethod.POST) return admin.create(newKey(json(body))).map(k -> Reply.of(201, k.toJson()));
      return Future.succeededFuture(new Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "GET, POST")));
    }
    Matcher usage = KEY_USAGE.matcher(path);
    if (usage.matches()) {
      if (method != HttpMethod.GET) {
        return Future.succeededFuture(new Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "GET")));
      }
      return usage(usage.group(1));
    }
    Matcher key = KEY.matcher(path);
    if (key.matches()) {
      if (method != HttpMethod.PATCH) {
        return Future.succeededFuture(new Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "PATCH")));
      }
      return admin.change(key.group(1), keyEdit(json(body))).map(k -> k.map(ApiKeyInfo::toJson).map(j -> Reply.of(200, j))
          .orElse(Reply.error(404, "unknown_key", "no key has this id")));
    }
    Matcher m = KEY_ACTION.matcher(path);
    if (!m.matches()) return Future.succeededFuture(Reply.error(404, "not_found", "no such endpoint"));
    if (method != HttpMethod.POST) {
      return Future.succeededFuture(new Reply(405, new JsonObject().put("error", "method_not_allowed"), Map.of("Allow", "POST")));
    }
    String id = m.group(1);
    if (m.group(2).equals("revoke")) {
      return admin.revoke(id).map(k -> k.map(ApiKeyInfo::toJson).map(j -> Reply.of(200, j))
          .orElse(Reply.error(404, "unknown_key", "no key has this id")));
    }
    JsonObject o = json(body);
    Duration grace = duration(o, "grace").orElse(Duration.ZERO);
    return admin.rotate(id, grace).map(k -> k.map(c -> Reply.of(201, c.toJson().put("replaces", id)))
        .orElse(Reply.error(404, "unknown_key", "no active key has this id")));
  }

  /**
   * Key {@code id}'s limits as counted now: the store's key, then the limiter's counts. A limiter
   * that cannot read (Redis down) is 503 {@code rate_limiter_unavailable}, not the key store.
   */
  private Future<Reply> usage(String id) {
    return admin.find(id).compose(k -> {
      if (k.isEmpty()) return Future.succeededFuture(Reply.error(404, "unknown_key", "no key has this id"));
      return KeyUsage.read(limiter, id, k.get().limit()).map(u -> Reply.of(200, u.toJson()))
          .otherwise(e -> new Reply(503, new JsonObject().put("error", "rate_limiter_unavailable")
              .put("message", "the rate limiter's counts cannot be read now"), Map.of("Retry-After", "5")));
    });
  }

  /** A PATCH body: the fields present are changed; {@code "rate_limit": null} removes the limit, {@code "quota": null} the quota. */
  private static KeyEdit keyEdit(JsonObject o) {
    for (String field : o.fieldNames()) {
      if (!Set.of("scopes", "rate_limit", "quota", "name").contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' (expected scopes, rate_limit, quota, name)");
      }
    }
    Optional<Set<String>> scopes = o.containsKey("scopes") ? Optional.of(scopes(o.getValue("scopes"))) : Optional.empty();
    Optional<Integer> limit = Optional.empty();
    if (o.containsKey("rate_limit")) {
      Integer l = o.getInteger("rate_limit");
      if (l != null && l == KeyEdit.NO_LIMIT) throw new IllegalArgumentException("rate limit must be between 1 and 1000000 requests per minute");
      limit = Optional.of(l == null ? KeyEdit.NO_LIMIT : l);
    }
    Optional<Optional<CalendarQuota>> quota = o.containsKey("quota") ? Optional.of(quota(o)) : Optional.empty();
    return new KeyEdit(scopes, limit, Optional.ofNullable(o.getString("name")), quota);
  }

  /** {@code "quota"}: {@code "N/day"} or {@code "N/month"}; null or absent: none. */
  private static Optional<CalendarQuota> quota(JsonObject o) {
    String text = o.getString("quota");
    if (text == null) return Optional.empty();
    return Optional.of(CalendarQuota.parse(text).orElseThrow(() -> new IllegalArgumentException("quota must be " + CalendarQuota.FORMS)));
  }

  private static Set<String> scopes(Object s) {
    Set<String> scopes = new LinkedHashSet<>();
    if (s instanceof JsonArray a) {
      for (Object item : a) scopes.add((String) item);
    } else if (s instanceof String text) {
      for (String part : text.split(",")) if (!part.isBlank()) scopes.add(part.strip());
    } else if (s != null) {
      throw new IllegalArgumentException("scopes must be a list of strings or a comma-separated string");
    }
    return scopes;
  }

  private static NewKey newKey(JsonObject o) {
    for (String field : o.fieldNames()) {
      if (!Set.of("owner", "scopes", "rate_limit", "quota", "expires_in", "name").contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' (expected owner, scopes, rate_limit, quota, expires_in, name)");
      }
    }
    String owner = o.getString("owner");
    if (owner == null) throw new IllegalArgumentException("owner is required");
    Set<String> scopes = scopes(o.getValue("scopes"));
    Optional<Integer> limit = Optional.ofNullable(o.getInteger("rate_limit"));
    return new NewKey(owner, Optional.ofNullable(o.getString("name")), scopes, limit, quota(o), duration(o, "expires_in"));
  }

  private static Optional<Duration> duration(JsonObject o, String field) {
    String text = o.getString(field);
    if (text == null) return Optional.empty();
    return Optional.of(Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(field + " must be " + Durations.FORMS)));
  }

  private static JsonObject json(Buffer body) {
    if (body.length() == 0) return new JsonObject();
    return new JsonObject(body);
  }

  private static String message(Exception e) {
    if (e instanceof DecodeException) return "the body is not a JSON object";
    if (e instanceof ClassCastException) return "a field has the wrong type";
    return e.getMessage();
  }

}
