package gatehouse.server;

import gatehouse.pipeline.Rejection;
import gatehouse.transport.IdleConnections;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How long a connection may take to deliver a complete request head. Its first: {@code
 * header_read_timeout} from the connection's start. Each later one on an HTTP/1 connection: {@code
 * idle_timeout + header_read_timeout} from the end of the previous response. The idle timeout
 * alone cannot bound the later ones: a client that sends one byte of a head now and then is never
 * idle, and would hold its connection for as long as it likes. The sum never cuts a client the two
 * limits would not already cut: one idle for less than {@code idle_timeout} that then sends its head
 * within {@code header_read_timeout} is inside it. With {@code listen.h2c} on, Vert.x reports a
 * connection only once its first head is complete, so that first head is not covered ({@link
 * gatehouse.config.ListenerConfig#h2c()} says so to users); the later ones are.
 *
 * <p>It also tells the transport whether each connection has a request in flight ({@link
 * IdleConnections}): busy from a complete head to the end of its response on HTTP/1 (for good
 * after a 101), while any stream is open on HTTP/2 (checked by the sweep), idle otherwise; at
 * {@code limits.max_connections} a new connection evicts the one idle longest.
 *
 * <p>One periodic sweep per event loop finds the late connections, rather than a timer per request;
 * a connection is closed at most a tenth of {@code header_read_timeout} (and at most a second)
 * after its deadline. Confined to the event loop of the listener that created it.
 */
final class HeadDeadlines {
  private static final long NONE = Long.MAX_VALUE;

  /**
   * One connection's state: the request whose response it is waiting for, or its deadline; its
   * slot in the transport (null outside a guarded listener), told whether a request is in flight;
   * on HTTP/2, the requests whose streams may be open, weakly: holding them would keep every reset
   * stream alive until the next sweep (a rapid reset keeps thousands), and one collected was closed,
   * as Vert.x holds its open streams itself.
   */
  private static final class Watch {
    HttpServerRequest current;
    long deadline;
    IdleConnections.Slot slot;
    List<java.lang.ref.WeakReference<HttpServerRequest>> streams;
    /** After a 101: the connection is a tunnel from then on, in flight until it closes. */
    boolean upgraded;
  }

  private final Vertx vertx;
  private final RequestIds requestIds;
  private final LongSupplier nanoClock;
  private final long firstNanos;
  private final long nextNanos;
  private final long sweepMillis;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();
  private long sweeper = -1;

  HeadDeadlines(Vertx vertx, Duration headerReadTimeout, Duration idleTimeout, LongSupplier nanoClock, RequestIds requestIds) {
    this.vertx = vertx;
    this.requestIds = requestIds;
    this.nanoClock = nanoClock;
    this.firstNanos = headerReadTimeout.toNanos();
    this.nextNanos = idleTimeout.plus(headerReadTimeout).toNanos();
    this.sweepMillis = Math.max(10, Math.min(1000, headerReadTimeout.toMillis() / 10));
  }

  void start() {
    sweeper = vertx.setPeriodic(sweepMillis, id -> sweep(nanoClock.getAsLong()));
  }

  void stop() {
    if (sweeper >= 0) vertx.cancelTimer(sweeper);
  }

  /** A new connection: its first head is due within {@code header_read_timeout}. */
  void opened(HttpConnection connection) {
    if (watches.containsKey(connection)) return;
    watch(connection).deadline = nanoClock.getAsLong() + firstNanos;
  }

  /**
   * The connection's watch, made on first sight. With h2c on, Vert.x reports a connection only
   * once its first head is complete; whichever of the two handlers runs first makes it.
   */
  private Watch watch(HttpConnection connection) {
    Watch watch = watches.get(connection);
    if (watch == null) {
      watch = new Watch();
      watch.deadline = NONE;
      Channel channel = RawReplies.channel(connection);
      watch.slot = channel == null ? null : IdleConnections.slot(channel);
      watches.put(connection, watch);
      connection.closeHandler(v -> watches.remove(connection));
    }
    return watch;
  }

  /**
   * A complete head arrived: no deadline while its response is under way. On HTTP/1 the end of
   * that response starts the wait for the next head; HTTP/2 streams overlap, so there it does not.
   */
  void arrived(HttpServerRequest request) {
    Watch watch = watch(request.connection());
    watch.current = request;
    watch.deadline = NONE;
    if (watch.slot != null) watch.slot.busy();
    if (request.version() != HttpVersion.HTTP_2) {
      request.response().endHandler(v -> responded(watch, request));
    } else if (watch.slot != null) {
      // Polled by the sweep rather than told by a handler: the request's handlers are the proxy's.
      if (watch.streams == null) watch.streams = new ArrayList<>(4);
      watch.streams.add(new java.lang.ref.WeakReference<>(request));
    }
  }

  /** Only for the latest request: a pipelined one may already have arrived when an earlier response ends. */
  private void responded(Watch watch, HttpServerRequest request) {
    if (watch.current != request || watch.upgraded) return;
    if (request.response().getStatusCode() == 101) {
      watch.upgraded = true;
      return;
    }
    watch.current = null;
    long now = nanoClock.getAsLong();
    watch.deadline = now + nextNanos;
    if (watch.slot != null) watch.slot.idle(now);
  }

  /** Forgets the HTTP/2 streams that have closed; with none left open, the connection is idle from {@code now}. */
  private static void streamsClosed(Watch watch, long now) {
    watch.streams.removeIf(ref -> {
      HttpServerRequest r = ref.get();
      return r == null || r.response().closed() || r.response().ended() && r.isEnded();
    });
    if (watch.streams.isEmpty()) watch.slot.idle(now);
  }

  /**
   * Answers 408 and closes every connection whose deadline has passed at {@code now}. Envoy answers
   * a missed {@code request_headers_timeout} the same way (nginx closes without a word); a deadline
   * runs only while no response is under way, so the 408 is the only response bytes on the wire.
   * HTTP/2 connections are closed without one. {@link #NONE} is tested
   * apart: the clock's origin is arbitrary, and {@code NONE - now} overflows when {@code now} is
   * negative.
   */
  void sweep(long now) {
    List<HttpConnection> late = null;
    for (Map.Entry<HttpConnection, Watch> e : watches.entrySet()) {
      Watch watch = e.getValue();
      if (watch.streams != null && !watch.streams.isEmpty()) streamsClosed(watch, now);
      long deadline = watch.deadline;
      if (deadline != NONE && deadline - now < 0) {
        if (late == null) late = new ArrayList<>();
        late.add(e.getKey());
      }
    }
    if (late == null) return;
    for (HttpConnection connection : late) {
      watches.remove(connection);
      RawReplies.refuseAndClose(connection, new Rejection.HeadTimeout(), requestIds.next());
    }
  }
}
