package gatehouse.transport;

import gatehouse.logging.ThrottledLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * First handler of a listening channel: holds its accepted connections to a cap, and stops
 * accepting for a while when the process is out of descriptors.
 *
 * <p>The cap: a connection accepted while {@code max} are open is closed there and then, before
 * Vert.x sets it up, and counted ({@link #refused()}), as Envoy does past {@code
 * global_downstream_max_connections}. Its descriptor is free again before the next accept, so
 * client load alone cannot take the descriptors upstream connections and the rest need.
 *
 * <p>Out of descriptors (EMFILE, ENFILE) or memory at accept: accepting stops for 10 ms, doubling
 * to 1 s while the failures go on, as nginx disables its accept event on EMFILE; the next accept
 * that succeeds resets the pause. Without it the event loop retries at once and Netty's pipeline
 * tail logs each failure as a WARN (10.66 million in 27 s, issue 20). Every failure is counted
 * ({@link #failures()}) and goes through one {@link ThrottledLog}, so the log gets one line per
 * window with a count. Other accept errors (a client that reset before the accept) are counted and
 * logged alike, without a pause.
 *
 * <p>Accept-side state is confined to the listening channel's event loop; the open count is also
 * lowered by the connections' own loops as they close, hence atomic.
 */
final class AcceptGuard extends ChannelDuplexHandler {
  static final long FIRST_PAUSE_MILLIS = 10;
  static final long MAX_PAUSE_MILLIS = 1000;

  private static final LongAdder FAILURES = new LongAdder();
  private static final LongAdder PAUSES = new LongAdder();
  private static final LongAdder REFUSED = new LongAdder();
  private static final AtomicInteger OPEN = new AtomicInteger();
  private static final SpareDescriptor SPARE = new SpareDescriptor();
  /** One for the process: the descriptor table is the process's, and so is the log. */
  private static final ThrottledLog FAILED = new ThrottledLog(LoggerFactory.getLogger(AcceptGuard.class), Clock.systemUTC());
  private static final ThrottledLog CAPPED = new ThrottledLog(LoggerFactory.getLogger(AcceptGuard.class), Clock.systemUTC());

  private final int max;
  private final Function<SocketAddress, AtomicInteger> counts;
  /** The open count of this channel's address, shared with the other channels bound to it (one per event loop). */
  private AtomicInteger open;
  private long nextPauseMillis = FIRST_PAUSE_MILLIS;
  private boolean paused;

  /**
   * Holds the listener to {@code max} open connections, counted by {@code counts} for its local
   * address: Vert.x may bind one listening channel per event loop to the same address.
   */
  AcceptGuard(int max, Function<SocketAddress, AtomicInteger> counts) {
    this.max = max;
    this.counts = counts;
  }

  /** Accepts that failed in this process, on every guarded listener. */
  static long failures() {
    return FAILURES.sum();
  }

  /** Times a guarded listener paused accepting for lack of descriptors. */
  static long pauses() {
    return PAUSES.sum();
  }

  /** Connections closed as soon as accepted because their listener had its cap open. */
  static long refused() {
    return REFUSED.sum();
  }

  /** Connections open now on every guarded listener. */
  static int open() {
    return OPEN.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
    nextPauseMillis = FIRST_PAUSE_MILLIS;
    Channel connection = (Channel) accepted;
    if (SPARE.draining()) {
      // Accepted with the spare descriptor: out of descriptors, the queued connection is closed
      // rather than left to fail the next accept again.
      REFUSED.increment();
      connection.unsafe().closeForcibly();
      SPARE.reopen();
      return;
    }
    if (open == null) open = counts.apply(ctx.channel().localAddress());
    AtomicInteger open = this.open;
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      REFUSED.increment();
      // Not registered with an event loop yet: closing now gives the descriptor back at once.
      connection.unsafe().closeForcibly();
      CAPPED.warn("a client connection was closed as soon as accepted: its listener holds limits.max_connections ({})", max);
      return;
    }
    OPEN.incrementAndGet();
    connection.closeFuture().addListener(f -> {
      open.decrementAndGet();
      OPEN.decrementAndGet();
    });
    ctx.fireChannelRead(connection);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FAILURES.increment();
    boolean exhausted = outOfDescriptors(cause);
    if (exhausted) SPARE.release();
    if (exhausted && !paused) pause(ctx);
    FAILED.warn("accepting a connection failed: {}{}", cause.getMessage(),
        exhausted ? "; accepting pauses, 10 ms to 1 s at a time, until descriptors are free (see limits.max_connections)" : "");
  }

  /** While paused, the transport's requests to accept again are held back; the pause's end makes one. */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!paused) ctx.read();
  }

  private void pause(ChannelHandlerContext ctx) {
    Channel listener = ctx.channel();
    paused = true;
    PAUSES.increment();
    long pause = nextPauseMillis;
    nextPauseMillis = Math.min(MAX_PAUSE_MILLIS, nextPauseMillis * 2);
    listener.config().setAutoRead(false);
    listener.eventLoop().schedule(() -> {
      paused = false;
      SPARE.reopen();
      if (listener.isOpen()) {
        listener.config().setAutoRead(true);
        ctx.read();
      }
    }, pause, TimeUnit.MILLISECONDS);
  }

  /** EMFILE, ENFILE, ENOBUFS or ENOMEM, from the native transports (errno) or the JDK's (message). */
  static boolean outOfDescriptors(Throwable cause) {
    if (cause instanceof Errors.NativeIoException n) {
      int errno = Math.abs(n.expectedErr());
      return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
    }
    if (!(cause instanceof IOException)) return false;
    String m = String.valueOf(cause.getMessage());
    return m.contains("Too many open files") || m.contains("No buffer space") || m.contains("Cannot allocate memory");
  }

  // Linux errno values (asm-generic/errno-base.h, errno.h).
  private static final int ENOMEM = 12;
  private static final int ENFILE = 23;
  private static final int EMFILE = 24;
  private static final int ENOBUFS = 105;
}
