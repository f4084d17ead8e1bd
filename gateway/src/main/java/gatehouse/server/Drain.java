package gatehouse.server;

import gatehouse.config.ShutdownConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway listener's graceful stop (docs/operations.md, Stopping), in three phases, one log line each:
 *
 * <ol>
 *   <li><b>draining</b> ({@link #run} called, on SIGTERM): {@code /ready} answers 503; the listener
 *       still accepts, for {@code shutdown.delay}, so that load balancers notice and stop sending
 *       new connections; each connection that carries a request from now on is asked to end: an
 *       HTTP/1 response says {@code Connection: close} and the connection closes after it, an
 *       HTTP/2 connection gets GOAWAY (Envoy's {@code --drain-strategy immediate});
 *   <li><b>stopped accepting</b>: Vert.x's own graceful shutdown ({@code HttpServer.shutdown}) closes
 *       the listening socket, closes idle connections, sends GOAWAY on HTTP/2 connections and lets
 *       HTTP/1 ones finish their response; a WebSocket tunnel gets its close frame (1001) from
 *       the proxy, which listens for the same shutdown event;
 *   <li><b>drained</b>: every connection closed, or {@code shutdown.timeout} passed and Vert.x
 *       closed the rest; the requests those carried are counted as cut.
 * </ol>
 *
 * <p>Requests are counted from the gateway handler's start to its access-log record, with adders
 * that event loops do not contend on; all else is read once per request (one volatile read) or
 * only while stopping.
 */
public final class Drain {
  private static final Logger log = LoggerFactory.getLogger(Drain.class);
  /** How long the requests of connections closed at the timeout may take to record their end. */
  private static final Duration SETTLE = Duration.ofSeconds(2);

  /** What the stop came to: requests that ended after the listener stopped accepting, in time or cut. */
  public record Result(long drained, long cut) {}

  private final LongAdder started = new LongAdder();
  private final LongAdder ended = new LongAdder();
  private final LongAdder drained = new LongAdder();
  private final LongAdder cut = new LongAdder();
  private volatile boolean draining;
  /** When connections still open are closed, by {@link System#nanoTime}; meaningful while draining. */
  private volatile long closeAtNanos;
  /** Whether the listener has stopped accepting; from then on each ending request is drained or cut. */
  private volatile boolean stopped;

  /** Whether the stop has begun. */
  public boolean draining() {
    return draining;
  }

  /**
   * {@code checks} as {@code /ready} shows them: while draining, preceded by a {@code shutdown}
   * check that is not ready, so that load balancers take the gateway out of rotation.
   */
  public List<Readiness> readiness(List<Readiness> checks) {
    if (!draining) return checks;
    List<Readiness> all = new ArrayList<>(checks.size() + 1);
    all.add(new Readiness("shutdown", false, true, "stopping: new connections are refused once shutdown.delay has passed"));
    all.addAll(checks);
    return all;
  }

  /**
   * A request arrived on the gateway listener: counted until {@link #ended}. While draining, its
   * connection is asked to end once the response is written, except a WebSocket upgrade's: its
   * connection becomes the tunnel, which ends with a close frame when the listener stops.
   * Called on the request's event loop.
   */
  void arrived(HttpServerRequest request) {
    started.increment();
    if (!draining) return;
    if (request.version() != HttpVersion.HTTP_2) {
      if (request.headers().contains("Upgrade")) return;
      request.response().putHeader("Connection", "close");
    }
    long left = Math.max(0, closeAtNanos - System.nanoTime());
    request.connection().shutdown(left, TimeUnit.NANOSECONDS);
  }

  /** A request counted by {@link #arrived} has been recorded: answered, proxied to its end, or cut. */
  void ended() {
    ended.increment();
    if (stopped) (System.nanoTime() - closeAtNanos >= 0 ? cut : drained).increment();
  }

  /** Requests arrived and not yet ended. */
  long inFlight() {
    return started.sum() - ended.sum();
  }

  /**
   * Runs the stop as {@code config} says, on the calling thread, which it blocks (never call it on
   * an event loop); {@code stopAccepting} is Vert.x's graceful shutdown of the listeners with the
   * given timeout. Returns once every connection is closed.
   */
  public Result run(ShutdownConfig config, Function<Duration, Future<?>> stopAccepting) throws InterruptedException {
    long began = System.nanoTime();
    closeAtNanos = began + config.delay().toNanos() + config.timeout().toNanos();
    draining = true;
    log.info("shutdown: draining: /ready answers 503; new connections are accepted for {} more, then requests in flight have {} to finish",
        text(config.delay()), text(config.timeout()));
    long wake = began + config.delay().toNanos();
    for (long left = wake - System.nanoTime(); left > 0; left = wake - System.nanoTime()) TimeUnit.NANOSECONDS.sleep(left);
    // The deadline is set before Vert.x starts its timer, so whatever its timer closes ends after it: cut.
    closeAtNanos = System.nanoTime() + config.timeout().toNanos();
    stopped = true;
    log.info("shutdown: stopped accepting connections; {} requests in flight", inFlight());
    try {
      stopAccepting.apply(config.timeout()).toCompletionStage().toCompletableFuture()
          .get(config.timeout().plus(SETTLE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("shutdown: the listeners did not stop cleanly: {}", e.toString());
    }
    long settle = System.nanoTime() + SETTLE.toNanos();
    while (inFlight() > 0 && System.nanoTime() - settle < 0) TimeUnit.MILLISECONDS.sleep(10);
    Result result = new Result(drained.sum(), cut.sum() + Math.max(0, inFlight()));
    if (result.cut() == 0) {
      log.info("shutdown: drained: {} requests finished, 0 cut", result.drained());
    } else {
      log.warn("shutdown: drained: {} requests finished, {} cut (still running after shutdown.timeout, {})", result.drained(),
          result.cut(), text(config.timeout()));
    }
    return result;
  }

  private static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
