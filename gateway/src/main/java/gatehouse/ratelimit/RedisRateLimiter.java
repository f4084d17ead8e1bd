package gatehouse.ratelimit;

import gatehouse.config.RedisConfig;
import gatehouse.logging.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets shared by every gateway instance that names the same Redis and key prefix. Each
 * decision is one Lua script run atomically on the server ({@code token_bucket.lua}), timed by
 * Redis's clock, never an instance's: instances with skewed clocks admit exactly the limit
 * together, with the same numbers {@link LocalRateLimiter} gives. A bucket's key is {@code
 * <prefix>{<name>}}, hash-tagged for Redis Cluster, and expires a window (and a second) after its
 * last use, when it would be full again.
 *
 * <p>A decision waits on Redis at most {@code timeout}. On a timeout or an error this instance
 * enters fallback and answers from it, without asking Redis, until a heartbeat succeeds again:
 * {@code local} takes from buckets in this process at each limit divided by the instances last
 * seen alive (their heartbeats, a sorted set in Redis), {@code open} allows, {@code closed} says
 * {@link Verdict.Unavailable}. One throttled log line on entering and on leaving fallback.
 *
 * <p>Meters: {@code gatehouse_rate_limit_decisions_total{backend, outcome}} (backend {@code redis},
 * {@code local}, {@code open} or {@code closed}; outcome {@code allowed}, {@code denied} or {@code
 * unavailable}), {@code gatehouse_rate_limit_redis_errors_total{reason}} ({@code timeout} or {@code
 * error}), {@code gatehouse_rate_limit_fallback_active} (1 or 0) and {@code
 * gatehouse_rate_limit_instances} (live instances last seen); {@code
 * gatehouse_quota_decisions_total{backend, outcome}} for quotas ({@code quota.lua}, see {@link
 * #reserve}).
 */
public final class RedisRateLimiter implements RateLimiter, MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final Script BUCKET = Script.load("token_bucket.lua");
  private static final Script HEARTBEAT = Script.load("heartbeat.lua");
  private static final Script QUOTA = Script.load("quota.lua");
  private static final Script BUCKET_READ = Script.load("bucket_read.lua");
  /** A heartbeat counts for this many intervals, so one late or lost beat does not drop an instance. */
  private static final int BEATS_ALIVE = 3;
  /** Event loops with a connection of their own; any further one shares {@link #shared}. Within the client's pool. */
  private static final int MAX_LINKS = 63;

  private final Vertx vertx;
  private final RedisConfig config;
  private final Redis client;
  /**
   * One pipelined connection per event-loop thread that sends decisions, connected from that
   * thread, so a decision and its answer never cross threads; {@link #shared} for callers that
   * are not on an event loop (the heartbeat's timer is). Bounded by the event-loop threads.
   */
  private final Map<Thread, Link> links = new ConcurrentHashMap<>();
  private final Link shared = new Link();
  private final LocalRateLimiter local;
  private final String instanceId = UUID.randomUUID().toString();
  private final String instancesKey;
  /** Entering and leaving fallback each have their own, so a short outage logs both lines. */
  private final ThrottledLog enterLog;
  private final ThrottledLog leaveLog;
  private final AtomicBoolean fallback = new AtomicBoolean();
  private final AtomicBoolean beating = new AtomicBoolean();
  private volatile boolean closed;
  private volatile int instances = 1;
  /** Successful heartbeats since Redis last failed to answer. */
  private volatile int beatsSinceOutage = BEATS_ALIVE;
  private final long heartbeatTimer;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private RedisRateLimiter(Vertx vertx, RedisConfig config, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.local = new LocalRateLimiter(clock);
    this.enterLog = new ThrottledLog(log, clock);
    this.leaveLog = new ThrottledLog(log, clock);
    this.instancesKey = config.keyPrefix() + "instances";
    RedisOptions options = new RedisOptions()
        .setType(config.cluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
        .setEndpoints(config.endpoints())
        .setMaxPoolSize(MAX_LINKS + 1).setMaxPoolWaiting(2 * (MAX_LINKS + 1))
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) Math.max(250, config.timeout().toMillis() * 4))
            .setTcpNoDelay(true));
    config.user().ifPresent(options::setUser);
    config.password().ifPresent(p -> options.setPassword(p.reveal()));
    this.client = Redis.createClient(vertx, options);
    this.heartbeatTimer = vertx.setPeriodic(0, config.heartbeat().toMillis(), id -> beat());
  }

  /**
   * A limiter on the Redis {@code config} names, heartbeating from now on; {@code clock} times only
   * the fallback buckets and the log's throttling. Connects lazily: an unreachable Redis makes the
   * first decisions fall back, it does not fail this call.
   */
  public static RedisRateLimiter create(Vertx vertx, RedisConfig config, Clock clock) {
    return new RedisRateLimiter(vertx, config, clock);
  }

  /**
   * Takes a token from the shared bucket, or from the fallback when Redis does not answer within
   * {@code timeout}. The future always succeeds, on the caller's context; never blocks.
   */
  @Override
  public Future<Verdict> acquire(String key, Limit limit) {
    return decide(key, limit).map(Decision::verdict);
  }

  /** A verdict and the Redis time it was taken at (microseconds; 0 when the fallback answered). */
  record Decision(Verdict verdict, long redisMicros) {}

  Future<Decision> decide(String key, Limit limit) {
    if (fallback.get()) return Future.succeededFuture(new Decision(fallback(key, limit), 0));
    Context caller = vertx.getOrCreateContext();
    Promise<Decision> answer = Promise.promise();
    AtomicBoolean decided = new AtomicBoolean();
    long timer = vertx.setTimer(Math.max(1, config.timeout().toMillis()), id -> {
      if (decided.compareAndSet(false, true)) {
        failed("timeout", "no answer within " + config.timeout().toMillis() + "ms");
        answer.complete(new Decision(fallback(key, limit), 0));
      }
    });
    eval(BUCKET, bucketKey(key), Long.toString(limit.requests()), Long.toString(limit.window().toNanos()),
        Long.toString(ttlMillis(limit))).onComplete(ar -> {
          if (!decided.compareAndSet(false, true)) return;
          vertx.cancelTimer(timer);
          Decision d;
          if (ar.succeeded()) {
            d = parse(ar.result(), limit);
            count("redis", d.verdict());
          } else {
            failed("error", ar.cause().toString());
            d = new Decision(fallback(key, limit), 0);
          }
          // Back on the caller's event loop, where the timer would have answered too.
          if (Vertx.currentContext() == caller) {
            answer.complete(d);
          } else {
            caller.runOnContext(v -> answer.complete(d));
          }
        });
    return answer.future();
  }

  /** {@code <prefix>{<name>}}: the braces make the whole name the Cluster hash tag. */
  String bucketKey(String name) {
    return config.keyPrefix() + "{" + name + "}";
  }

  /** A bucket left alone for a window is full again: keep it that long, and a second more for clock steps. */
  private static long ttlMillis(Limit limit) {
    return TimeUnit.NANOSECONDS.toMillis(limit.window().toNanos()) + 1_000;
  }

  private static Decision parse(Response r, Limit limit) {
    long remaining = r.get(1).toLong();
    Duration untilOne = Duration.ofNanos(r.get(2).toLong());
    Duration untilFull = Duration.ofNanos(r.get(3).toLong());
    long micros = r.get(4).toLong();
    Verdict v = r.get(0).toInteger() == 1
        ? new Verdict.Allowed(limit, remaining, untilFull)
        : new Verdict.Denied(limit, untilOne, untilFull);
    return new Decision(v, micros);
  }

  /**
   * Runs {@code script} on {@code key} with {@code args}: EVALSHA, and EVAL (which also caches the
   * script) when the server has not seen it yet, after a restart or on a new Cluster node.
   */
  private Future<Response> eval(Script script, String key, String... args) {
    return send(request(Command.EVALSHA, script.sha(), key, args)).recover(e -> {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) return Future.failedFuture(e);
      return send(request(Command.EVAL, script.text(), key, args));
    });
  }

  /**
   * Sends {@code request} on the calling event loop's connection (the client matches answers to
   * requests in order), connecting first when there is none. Sent from the caller's thread, so the
   * answer comes back on it.
   */
  private Future<Response> send(Request request) {
    Link l = link();
    RedisConnection c = l.live;
    if (c != null) return c.send(request);
    return l.connect().compose(connected -> connected.send(request));
  }

  private Link link() {
    if (!Context.isOnEventLoopThread()) return shared;
    Thread t = Thread.currentThread();
    Link l = links.get(t);
    if (l != null) return l;
    return links.size() >= MAX_LINKS ? shared : links.computeIfAbsent(t, k -> new Link());
  }

  /** Every link: the event loops' and {@link #shared}. */
  private List<Link> allLinks() {
    List<Link> all = new java.util.ArrayList<>(links.values());
    all.add(shared);
    return all;
  }

  /** One pipelined connection, or the connecting in progress, or none. */
  private final class Link {
    private Future<RedisConnection> connection;
    /** {@link #connection} once it is up, read without the lock on the request path. */
    private volatile RedisConnection live;

    synchronized Future<RedisConnection> connect() {
      if (connection != null && !connection.failed()) return connection;
      // The scripts first, so decisions after a server restart need not each find NOSCRIPT (on a
      // Cluster this reaches one node; the others learn them from EVAL).
      Future<RedisConnection> connecting = client.connect().compose(c -> c.batch(List.of(
              Request.cmd(Command.SCRIPT).arg("LOAD").arg(BUCKET.text()), Request.cmd(Command.SCRIPT).arg("LOAD").arg(HEARTBEAT.text())))
          .transform(loaded -> {
            if (loaded.succeeded()) return Future.succeededFuture(c);
            c.close();
            return Future.failedFuture(loaded.cause());
          }));
      connection = connecting;
      connecting.onSuccess(c -> {
        c.exceptionHandler(e -> drop(connecting)).endHandler(v -> drop(connecting));
        synchronized (this) {
          if (connection == connecting) live = c;
        }
      });
      return connecting;
    }

    /**
     * Forgets {@code which} (closed by the server, broken, or silent past a heartbeat) and closes
     * it, failing what waits on it; the next request connects again.
     */
    void drop(Future<RedisConnection> which) {
      synchronized (this) {
        if (which == null || connection != which) return;
        connection = null;
        live = null;
      }
      which.onSuccess(RedisConnection::close);
    }

    synchronized Future<RedisConnection> current() {
      return connection;
    }

    /** Forgets the connection and closes it; completes when it is closed. */
    Future<Void> close() {
      RedisConnection c;
      synchronized (this) {
        c = live;
        connection = null;
        live = null;
      }
      return c == null ? Future.succeededFuture() : c.close();
    }
  }

  private static Request request(Command command, String script, String key, String... args) {
    Request r = Request.cmd(command).arg(script).arg(1).arg(key);
    for (String a : args) r.arg(a);
    return r;
  }

  /** The answer while Redis is away, as {@code fallback} says. */
  private Verdict fallback(String key, Limit limit) {
    Verdict v;
    String backend;
    if (config.fallback() == RedisConfig.Fallback.OPEN) {
      backend = "open";
      v = new Verdict.Allowed(limit, limit.requests(), Duration.ZERO);
    } else if (config.fallback() == RedisConfig.Fallback.CLOSED) {
      backend = "closed";
      v = new Verdict.Unavailable(limit, "redis unavailable");
    } else {
      backend = "local";
      v = localShare(key, limit, instances);
    }
    count(backend, v);
    return v;
  }

  /**
   * A token from this process's bucket of {@code limit}'s share for one of {@code live} instances,
   * {@code requests / live} per window (rounded down, so the instances together never exceed the
   * limit; a share of none refuses). The verdict names {@code limit}, the limit asked about.
   */
  Verdict localShare(String key, Limit limit, int live) {
    long share = limit.requests() / Math.max(1, live);
    if (share == 0) return new Verdict.Denied(limit, limit.window(), limit.window());
    Verdict v = local.take(key, new Limit(share, limit.window()));
    if (v instanceof Verdict.Allowed a) return new Verdict.Allowed(limit, a.remaining(), a.resetAfter());
    if (v instanceof Verdict.Denied d) return new Verdict.Denied(limit, d.retryAfter(), d.resetAfter());
    throw new AssertionError("the local limiter always answers, got " + v);
  }

  private void failed(String reason, String detail) {
    if (closed) return;
    beatsSinceOutage = 0;
    registry.counter("gatehouse_rate_limit_redis_errors", "reason", reason).increment();
    if (fallback.compareAndSet(false, true)) {
      enterLog.warn("redis {}: {}; rate limits fall back to {} until it answers again{}", config.endpoints(), detail,
          config.fallback().name().toLowerCase(java.util.Locale.ROOT),
          config.fallback() == RedisConfig.Fallback.LOCAL ? " (each limit divided by " + instances + " instances)" : "");
    }
  }

  /** Announces this instance, counts the live ones, and ends fallback when Redis answers. */
  private void beat() {
    if (!beating.compareAndSet(false, true)) return;
    long lifetimeMicros = config.heartbeat().multipliedBy(BEATS_ALIVE).toNanos() / 1_000 + config.timeout().toNanos() / 1_000;
    // A beat may take up to its interval (a first one connects, and on a Cluster learns the slots);
    // the next one is skipped while it runs.
    eval(HEARTBEAT, instancesKey, instanceId, Long.toString(lifetimeMicros))
        .timeout(Math.max(config.timeout().toMillis(), config.heartbeat().toMillis()), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          beating.set(false);
          if (ar.succeeded()) {
            int seen = Math.max(1, ar.result().toInteger());
            // After an outage the others may not have beaten again yet: for one heartbeat lifetime
            // the count may grow but not shrink, so the next fallback's shares stay small enough.
            instances = beatsSinceOutage < BEATS_ALIVE ? Math.max(seen, instances) : seen;
            beatsSinceOutage++;
            if (fallback.compareAndSet(true, false)) {
              leaveLog.info("redis {}: answering again, {} instances; shared rate limits resume", config.endpoints(), instances);
            }
          } else {
            failed(ar.cause() instanceof java.util.concurrent.TimeoutException ? "timeout" : "error", "heartbeat: " + ar.cause());
            // A server that went silent (a network dropping packets) never closes the connections.
            for (Link l : allLinks()) l.drop(l.current());
          }
        });
  }

  /**
   * Counts a request against the shared quota ({@code quota.lua}, one atomic step on Redis's clock),
   * or, when Redis does not answer within {@code timeout}, as {@code fallback} says: {@code local}
   * counts in this process at {@code requests / live instances} per window (by this process's
   * clock; what Redis counted before is not known, so a window that spans an outage may admit up to
   * that share more on each instance), {@code open} counts nothing and allows, {@code closed} says
   * {@link QuotaVerdict.Unavailable}. The future always succeeds, on the caller's context.
   */
  @Override
  public Future<QuotaVerdict> reserve(String key, CalendarQuota quota) {
    if (fallback.get()) return Future.succeededFuture(quotaFallback(key, quota));
    return timed(eval(QUOTA, quotaKey(key, quota), "take", Long.toString(quota.requests()), quota.period().word(), "0"), r -> {
      QuotaVerdict.State state = quotaState(r, quota);
      QuotaVerdict v = r.get(0).toInteger() == 1 ? new QuotaVerdict.Counted(state, true) : new QuotaVerdict.Exhausted(state);
      countQuota("redis", v);
      return v;
    }, () -> quotaFallback(key, quota));
  }

  /** Gives the request back where {@code counted} was counted: on Redis, or in this process's fallback. */
  @Override
  public Future<Void> release(String key, QuotaVerdict.Counted counted) {
    if (!counted.shared()) return local.release(key, counted);
    CalendarQuota q = counted.quota();
    return timed(eval(QUOTA, quotaKey(key, q), "give", Long.toString(q.requests()), q.period().word(),
        Long.toString(counted.state().window().start().getEpochSecond())), r -> (Void) null, () -> (Void) null);
  }

  /** The shared bucket as Redis holds it now, refilled to Redis's time; fails when Redis does not answer in time. */
  @Override
  public Future<BucketState> peek(String key, Limit limit) {
    return eval(BUCKET_READ, bucketKey(key)).timeout(Math.max(1, config.timeout().toMillis()), TimeUnit.MILLISECONDS).map(r -> {
      long now = r.get(5).toLong() * 1_000;
      boolean same = r.get(0) != null && r.get(0).toString().equals(Long.toString(limit.requests()))
          && r.get(1) != null && r.get(1).toString().equals(Long.toString(limit.window().toNanos()));
      if (!same || r.get(2) == null || r.get(3) == null || r.get(4) == null) return new BucketState(limit, limit.requests(), Duration.ZERO);
      TokenBucket.State s = TokenBucket.refill(new TokenBucket.State(limit, r.get(2).toLong(), r.get(3).toLong(), r.get(4).toLong() * 1_000), now);
      return new BucketState(limit, TokenBucket.tokens(s), TokenBucket.untilFull(s));
    });
  }

  /** The shared quota's count now, by Redis's clock; fails when Redis does not answer in time. */
  @Override
  public Future<QuotaVerdict.State> peek(String key, CalendarQuota quota) {
    return eval(QUOTA, quotaKey(key, quota), "read", Long.toString(quota.requests()), quota.period().word(), "0")
        .timeout(Math.max(1, config.timeout().toMillis()), TimeUnit.MILLISECONDS)
        .map(r -> quotaState(r, quota));
  }

  /** {@code <prefix>{<name>}:quota:<period>}: in the same Cluster slot as {@code name}'s bucket. */
  String quotaKey(String name, CalendarQuota quota) {
    return bucketKey(name) + ":quota:" + quota.period().word();
  }

  private static QuotaVerdict.State quotaState(Response r, CalendarQuota quota) {
    java.time.Instant start = java.time.Instant.ofEpochSecond(r.get(2).toLong());
    java.time.Instant end = java.time.Instant.ofEpochSecond(r.get(3).toLong());
    long nowMicros = r.get(4).toLong();
    Duration untilEnd = Duration.ofNanos(Math.max(0, end.getEpochSecond() * 1_000_000 - nowMicros) * 1_000);
    return new QuotaVerdict.State(quota, new CalendarQuota.Window(start, end), r.get(1).toLong(), untilEnd);
  }

  /** The quota's answer while Redis is away, as {@code fallback} says. */
  private QuotaVerdict quotaFallback(String key, CalendarQuota quota) {
    QuotaVerdict v;
    String backend;
    if (config.fallback() == RedisConfig.Fallback.OPEN) {
      backend = "open";
      v = local.count(key, quota, Long.MAX_VALUE);
    } else if (config.fallback() == RedisConfig.Fallback.CLOSED) {
      backend = "closed";
      v = new QuotaVerdict.Unavailable(quota, "redis unavailable");
    } else {
      backend = "local";
      v = local.count(key, quota, quota.requests() / Math.max(1, instances));
    }
    countQuota(backend, v);
    return v;
  }

  /**
   * {@code asked}'s answer parsed, on the caller's context; {@code otherwise}'s when Redis fails or
   * does not answer within {@code timeout} (which enters fallback, as for a bucket).
   */
  private <T> Future<T> timed(Future<Response> asked, java.util.function.Function<Response, T> parse, java.util.function.Supplier<T> otherwise) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> answer = Promise.promise();
    AtomicBoolean decided = new AtomicBoolean();
    long timer = vertx.setTimer(Math.max(1, config.timeout().toMillis()), id -> {
      if (decided.compareAndSet(false, true)) {
        failed("timeout", "no answer within " + config.timeout().toMillis() + "ms");
        answer.complete(otherwise.get());
      }
    });
    asked.onComplete(ar -> {
      if (!decided.compareAndSet(false, true)) return;
      vertx.cancelTimer(timer);
      T result;
      if (ar.succeeded()) {
        result = parse.apply(ar.result());
      } else {
        failed("error", ar.cause().toString());
        result = otherwise.get();
      }
      if (Vertx.currentContext() == caller) {
        answer.complete(result);
      } else {
        caller.runOnContext(v -> answer.complete(result));
      }
    });
    return answer.future();
  }

  private void countQuota(String backend, QuotaVerdict v) {
    String outcome = v instanceof QuotaVerdict.Counted ? "allowed" : v instanceof QuotaVerdict.Exhausted ? "denied" : "unavailable";
    decisions.computeIfAbsent("quota/" + backend + "/" + outcome, k -> Counter.builder("gatehouse_quota_decisions")
        .description("quota decisions by who answered (redis, or the fallback: local, open, closed) and the outcome")
        .tag("backend", backend).tag("outcome", outcome).register(registry)).increment();
  }

  /** Whether decisions come from the fallback now. */
  boolean inFallback() {
    return fallback.get();
  }

  /** The live instances last counted (1 before the first heartbeat). */
  int instances() {
    return instances;
  }

  private void count(String backend, Verdict v) {
    String outcome = v instanceof Verdict.Allowed ? "allowed" : v instanceof Verdict.Denied ? "denied" : "unavailable";
    decisions.computeIfAbsent(backend + "/" + outcome, k -> Counter.builder("gatehouse_rate_limit_decisions")
        .description("rate-limit decisions by who answered (redis, or the fallback: local, open, closed) and the outcome")
        .tag("backend", backend).tag("outcome", outcome).register(registry)).increment();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    decisions.clear();
    Gauge.builder("gatehouse_rate_limit_fallback_active", fallback, f -> f.get() ? 1 : 0)
        .description("1 while Redis does not answer and rate limits come from the fallback").register(registry);
    Gauge.builder("gatehouse_rate_limit_instances", this, l -> l.instances)
        .description("gateway instances sharing the rate limits, by their heartbeats in Redis, as last seen").register(registry);
  }

  /** Stops the heartbeat, leaves the set of live instances (best effort, bounded) and closes the client. */
  @Override
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    return send(Request.cmd(Command.ZREM).arg(instancesKey).arg(instanceId))
        .timeout(Math.max(100, config.timeout().toMillis() * 4), TimeUnit.MILLISECONDS)
        .<Void>mapEmpty().otherwiseEmpty().eventually(() -> {
          // Forgotten before it is closed: its end handler then finds nothing to drop, where it
          // closed the connection a second time (a Cluster connection says so at ERROR).
          List<Future<Void>> closing = new java.util.ArrayList<>();
          for (Link l : allLinks()) closing.add(l.close());
          return Future.join(closing).<Void>mapEmpty().eventually(client::close);
        });
  }

  /** A Lua script from this package's resources and its SHA-1, the name EVALSHA knows it by. */
  record Script(String text, String sha) {
    static Script load(String resource) {
      try (InputStream in = RedisRateLimiter.class.getResourceAsStream(resource)) {
        if (in == null) throw new IllegalStateException("missing resource " + resource);
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Script(text, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError("SHA-1 is required of every JDK", e);
      }
    }
  }
}
