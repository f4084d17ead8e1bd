package gatehouse.revoke;

import gatehouse.config.RedisConfig;
import gatehouse.logging.ThrottledLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny-list's Redis side. Entries are fields of one hash, {@code <prefix>{denylist}} (the
 * braces put every key of the list in one Cluster slot); each change is written and published on
 * {@code <prefix>{denylist}:events} by one script, so no instance sees an event for a change Redis
 * does not hold. Each instance keeps one subscription; when it (re)connects, the instance writes
 * the changes it could not write meanwhile, then reloads the whole hash. {@code
 * <prefix>{denylist}:epoch} is a random value set once: a different value after a reconnect means
 * Redis lost its data (a restart without persistence), and each instance writes its entries back
 * rather than forget them: a revocation is never undone by an outage.
 *
 * <p>On a Redis Cluster the channel is a shard channel (Redis 7: {@code SPUBLISH}, {@code
 * SSUBSCRIBE}) in the list's slot, and each instance subscribes on the node that serves that slot
 * (following {@code MOVED}). The subscription then lives and dies with the node that holds the
 * list: when that node restarts empty the subscription drops and the reload finds the new epoch,
 * where a plain {@code SUBSCRIBE} on another node would stay up and never see the loss. Redis ends
 * shard subscriptions with {@code sunsubscribe} when the slot moves (failover, resharding); the
 * instance then subscribes again where the slot went. Publishing reaches only that node's
 * subscribers, not every node of the Cluster bus.
 */
final class RedisDenyStore {
  private static final Logger log = LoggerFactory.getLogger(RedisDenyStore.class);
  private static final String WRITE = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('%s', ARGV[3], ARGV[4]) return 1";
  private static final String DELETE = "local n = redis.call('HDEL', KEYS[1], ARGV[1]) redis.call('%s', ARGV[2], ARGV[3]) return n";
  /** At most this many {@code MOVED} answers are followed at once before waiting {@link #RETRY_MILLIS}. */
  private static final int MOVED_HOPS = 3;
  /** How long after losing its subscription an instance tries again. */
  private static final long RETRY_MILLIS = 250;

  private final Vertx vertx;
  private final RedisConfig config;
  private final DenyList list;
  private final Redis client;
  private final String hashKey;
  private final String epochKey;
  private final String channel;
  private final String writeScript;
  private final String deleteScript;
  private final ThrottledLog downLog;
  private final AtomicLong reloads = new AtomicLong();
  private final Promise<Void> firstSync = Promise.promise();
  /** Changes made here that Redis does not hold yet: an entry to write, or empty for a removal. */
  private final Map<String, Optional<DenyEntry>> pending = new LinkedHashMap<>();
  /** Events received while a reload is under way, applied again on top of what it loaded; null otherwise. */
  private List<JsonObject> duringReload;
  private Redis subscriber;
  private RedisConnection subscription;
  private String epoch;
  private int endpoint;
  /** On a Cluster, the node a {@code MOVED} named as serving the list's slot; null until one did. */
  private String owner;
  private int hops;
  private boolean retrying;
  private volatile boolean synced;
  private volatile boolean closed;

  RedisDenyStore(Vertx vertx, RedisConfig config, Clock clock, DenyList list) {
    this.vertx = vertx;
    this.config = config;
    this.list = list;
    this.client = Redis.createClient(vertx, options(config.cluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE,
        config.endpoints()));
    this.hashKey = config.keyPrefix() + "{denylist}";
    this.epochKey = config.keyPrefix() + "{denylist}:epoch";
    this.channel = config.keyPrefix() + "{denylist}:events";
    String publish = config.cluster() ? "SPUBLISH" : "PUBLISH";
    this.writeScript = WRITE.formatted(publish);
    this.deleteScript = DELETE.formatted(publish);
    this.downLog = new ThrottledLog(log, clock);
  }

  private RedisOptions options(RedisClientType type, List<String> endpoints) {
    RedisOptions options = new RedisOptions().setType(type).setEndpoints(endpoints)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(1000).setTcpNoDelay(true));
    config.user().ifPresent(options::setUser);
    config.password().ifPresent(p -> options.setPassword(p.reveal()));
    return options;
  }

  void start() {
    subscribe();
  }

  boolean synced() {
    return synced;
  }

  Future<Void> ready() {
    return firstSync.future();
  }

  /** Writes and publishes {@code e}; on failure keeps it to write on reconnect. */
  Future<Void> write(DenyEntry e) {
    synchronized (this) {
      pending.put(e.id(), Optional.of(e));
    }
    return send(writeRequest(e)).<Void>mapEmpty().onSuccess(v -> settled(e.id(), Optional.of(e)));
  }

  /** Deletes and publishes the removal of {@code id}; true when Redis held it. On failure keeps it for reconnect. */
  Future<Boolean> delete(String id) {
    synchronized (this) {
      pending.put(id, Optional.empty());
    }
    return send(deleteRequest(id)).map(r -> r.toLong() > 0).onSuccess(v -> settled(id, Optional.empty()));
  }

  private synchronized void settled(String id, Optional<DenyEntry> change) {
    if (change.equals(pending.get(id))) pending.remove(id);
  }

  private Request writeRequest(DenyEntry e) {
    JsonObject event = new JsonObject().put("op", "add").put("entry", e.toJson());
    return Request.cmd(Command.EVAL).arg(writeScript).arg(1).arg(hashKey).arg(e.id()).arg(e.toJson().encode()).arg(channel).arg(event.encode());
  }

  private Request deleteRequest(String id) {
    JsonObject event = new JsonObject().put("op", "remove").put("id", id);
    return Request.cmd(Command.EVAL).arg(deleteScript).arg(1).arg(hashKey).arg(id).arg(channel).arg(event.encode());
  }

  private Future<Response> send(Request r) {
    return client.send(r);
  }

  /**
   * One connection subscribed to the events (on a Cluster, a shard subscription on the node serving
   * the list's slot), then a reload. On any failure, or when the connection ends, again after
   * {@link #RETRY_MILLIS}; at once after a {@code MOVED}.
   */
  private void subscribe() {
    if (closed) return;
    String node;
    synchronized (this) {
      node = owner != null ? owner : config.endpoints().get(endpoint % config.endpoints().size());
    }
    Redis sub = Redis.createClient(vertx, options(RedisClientType.STANDALONE, List.of(node)));
    synchronized (this) {
      subscriber = sub;
    }
    sub.connect().compose(conn -> {
      synchronized (this) {
        subscription = conn;
      }
      conn.handler(this::onPush);
      conn.exceptionHandler(e -> lost(conn, e.toString()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      if (!config.cluster()) return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
      // A keyed command first: a node that does not serve the slot answers MOVED to it here. The
      // answer to SSUBSCRIBE itself goes to the push handler, not to this future.
      return conn.send(Request.cmd(Command.EXISTS).arg(hashKey))
          .compose(v -> conn.send(Request.cmd(Command.SSUBSCRIBE).arg(channel)));
    }).compose(v -> reload()).onSuccess(v -> {
      synchronized (this) {
        hops = 0;
      }
      boolean wasDown = !synced && firstSync.future().isComplete();
      synced = true;
      firstSync.tryComplete();
      if (wasDown) log.info("denylist: redis {} answers again; {} entries reloaded", node, list.index().size());
    }).onFailure(e -> {
      String movedTo = movedTo(e.getMessage());
      boolean follow;
      synchronized (this) {
        follow = movedTo != null && hops++ < MOVED_HOPS;
        if (movedTo != null) {
          owner = movedTo;
        } else {
          owner = null;
          endpoint++;
        }
      }
      lost(null, e.toString(), follow ? 0 : RETRY_MILLIS);
    });
  }

  /** {@code redis://host:port} from a {@code MOVED <slot> <host>:<port>} error, or null for any other. */
  static String movedTo(String error) {
    if (error == null || !error.startsWith("MOVED ")) return null;
    String[] parts = error.trim().split(" ");
    return parts.length == 3 && !parts[2].isEmpty() ? "redis://" + parts[2] : null;
  }

  private void lost(RedisConnection conn, String why) {
    lost(conn, why, RETRY_MILLIS);
  }

  private void lost(RedisConnection conn, String why, long retryMillis) {
    Redis old;
    synchronized (this) {
      if (closed || retrying || (conn != null && conn != subscription)) return;
      retrying = true;
      subscription = null;
      duringReload = null;
      old = subscriber;
      subscriber = null;
    }
    if (retryMillis > 0 && (synced || !firstSync.future().isComplete())) {
      downLog.warn("denylist: redis {}: {}; this instance enforces its copy of {} entries and reloads when Redis answers",
          config.endpoints(), why, list.index().size());
    }
    synced = false;
    if (old != null) old.close();
    vertx.setTimer(Math.max(1, retryMillis), id -> {
      synchronized (this) {
        retrying = false;
      }
      subscribe();
    });
  }

  private void onPush(Response message) {
    if (message == null) return;
    if (message.type() == ResponseType.ERROR) {
      // An answer to (S)SUBSCRIBE, e.g. MOVED when the slot moved since EXISTS found its node.
      RedisConnection conn;
      String movedTo = movedTo(message.toString());
      synchronized (this) {
        conn = subscription;
        owner = movedTo;
      }
      lost(conn, message.toString(), movedTo != null ? 0 : RETRY_MILLIS);
      return;
    }
    if (message.size() < 2) return;
    String kind = message.get(0).toString();
    if ("sunsubscribe".equals(kind) && message.size() >= 3 && message.get(2).toInteger() == 0) {
      // Unasked for: the slot moved to another node (failover, resharding), which now holds the list.
      RedisConnection conn;
      synchronized (this) {
        conn = subscription;
        owner = null;
      }
      lost(conn, "the deny-list's slot moved off its node", 0);
      return;
    }
    if (message.size() < 3 || !("message".equals(kind) || "smessage".equals(kind))) return;
    JsonObject event;
    try {
      event = new JsonObject(message.get(2).toString());
      synchronized (this) {
        applyEvent(event);
        if (duringReload != null) duringReload.add(event);
      }
    } catch (RuntimeException e) {
      downLog.warn("denylist: ignoring an event that is not one: {}", e.toString());
    }
  }

  private void applyEvent(JsonObject event) {
    switch (event.getString("op", "")) {
      case "add" -> list.apply(DenyEntry.fromJson(event.getJsonObject("entry")));
      case "remove" -> list.applyRemoval(event.getString("id"));
      default -> throw new IllegalArgumentException("unknown op " + event.getString("op"));
    }
  }

  /** Writes what is pending, reads the epoch and the whole hash, and makes it the local copy. */
  private Future<Void> reload() {
    synchronized (this) {
      duringReload = new ArrayList<>();
    }
    reloads.incrementAndGet();
    return flushPending()
        .compose(v -> send(Request.cmd(Command.SET).arg(epochKey).arg(UUID.randomUUID().toString()).arg("NX")))
        .compose(v -> send(Request.cmd(Command.GET).arg(epochKey)))
        .compose(e -> send(Request.cmd(Command.HGETALL).arg(hashKey)).compose(all -> loaded(e.toString(), all)));
  }

  private Future<Void> flushPending() {
    List<Map.Entry<String, Optional<DenyEntry>>> todo;
    synchronized (this) {
      todo = new ArrayList<>(pending.entrySet());
    }
    List<Future<?>> writes = new ArrayList<>();
    for (Map.Entry<String, Optional<DenyEntry>> p : todo) {
      Optional<DenyEntry> change = p.getValue();
      Future<Response> sent = change.isPresent() ? send(writeRequest(change.get())) : send(deleteRequest(p.getKey()));
      writes.add(sent.onSuccess(r -> settled(p.getKey(), change)));
    }
    return Future.all(writes).mapEmpty();
  }

  private Future<Void> loaded(String currentEpoch, Response all) {
    Instant now = Instant.now();
    Map<String, DenyEntry> entries = new LinkedHashMap<>();
    List<String> expired = new ArrayList<>();
    forEachField(all, (id, json) -> {
      try {
        DenyEntry e = DenyEntry.fromJson(new JsonObject(json));
        if (e.expired(now)) expired.add(id);
        else entries.put(e.id(), e);
      } catch (RuntimeException ex) {
        downLog.warn("denylist: ignoring field {} of {}: {}", id, hashKey, ex.getMessage());
      }
    });
    List<Future<?>> writes = new ArrayList<>();
    synchronized (this) {
      boolean lostData = epoch != null && !epoch.equals(currentEpoch);
      epoch = currentEpoch;
      if (lostData) {
        log.warn("denylist: redis {} lost the list (its epoch changed); writing back this instance's {} entries",
            config.endpoints(), list.index().size());
        for (DenyEntry e : list.index().byId.values()) {
          if (!entries.containsKey(e.id()) && !e.expired(now)) {
            entries.put(e.id(), e);
            writes.add(send(writeRequest(e)));
          }
        }
      }
      list.replace(List.copyOf(entries.values()));
      for (JsonObject event : duringReload == null ? List.<JsonObject>of() : duringReload) applyEvent(event);
      duringReload = null;
    }
    for (String id : expired) writes.add(send(Request.cmd(Command.HDEL).arg(hashKey).arg(id)));
    return Future.all(writes).mapEmpty();
  }

  /** The field-value pairs of an HGETALL reply, a RESP3 map or a RESP2 flat array. */
  private static void forEachField(Response all, java.util.function.BiConsumer<String, String> each) {
    if (all == null) return;
    java.util.Set<String> keys;
    try {
      keys = all.getKeys();
    } catch (RuntimeException e) {
      keys = java.util.Set.of();
    }
    if (!keys.isEmpty()) {
      for (String k : keys) each.accept(k, all.get(k).toString());
      return;
    }
    for (int i = 0; i + 1 < all.size(); i += 2) each.accept(all.get(i).toString(), all.get(i + 1).toString());
  }

  void bindTo(MeterRegistry registry) {
    Gauge.builder("gatehouse_denylist_synced", this, s -> s.synced ? 1 : 0)
        .description("1 while this instance follows the deny-list on Redis, 0 while Redis is away (the local copy is enforced)")
        .register(registry);
    FunctionCounter.builder("gatehouse_denylist_reloads_total", reloads, AtomicLong::get)
        .description("times this instance reloaded the whole deny-list from Redis (at start and after each reconnect)")
        .register(registry);
  }

  Future<Void> close() {
    Redis sub;
    synchronized (this) {
      closed = true;
      sub = subscriber;
      subscriber = null;
    }
    if (sub != null) sub.close();
    client.close();
    return Future.succeededFuture();
  }
}
