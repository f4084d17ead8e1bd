package gatehouse.transport;

import gatehouse.logging.ThrottledLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>The cap: so that idle connections cannot fill it, each connection accepted within {@link
 * #slack(int)} of it evicts the connection idle longest, one with no request in flight ({@link
 * IdleConnections}), as nginx does when {@code worker_connections} run out; the evicted connection
 * closes on its own event loop. A connection accepted over the cap while evicted ones are still
 * closing (a connect storm) is kept if an idle one can be evicted for it, up to {@link
 * #overCap(int)} over, and the listener stops accepting until the count is under the cap again,
 * as Envoy's overload manager stops accepting: the next clients wait in the kernel's backlog
 * instead of being reset (3–8% of the abuse suite's canaries were, before). Otherwise (none idle,
 * or a listener that does not evict, the admin one) it is closed there and then, before Vert.x
 * sets it up, and counted ({@link #refused()}), as Envoy does past {@code
 * global_downstream_max_connections}; its descriptor is free again before the next accept, so
 * client load alone cannot take the descriptors upstream connections and the rest need.
 *
 * <p>Cost per accept below the cap: a slot object, a channel attribute and an add to a concurrent
 * set (removed on close). At the cap: one scan of the listener's connections per {@link #BATCH}
 * evictions.
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

  private static final ThrottledLog EVICTING = new ThrottledLog(LoggerFactory.getLogger(AcceptGuard.class), Clock.systemUTC());
  /** How many eviction candidates one scan keeps, as nginx drains up to 32 reusable connections at once. */
  static final int BATCH = 32;
  /** How long after a scan that found no idle connection the next one waits: at the cap with every connection busy, each accept would scan. */
  static final long EMPTY_SCAN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** How often a listener over its cap looks whether evicted connections have closed. */
  static final long FULL_CHECK_MICROS = 500;

  /**
   * One listening address's connections, shared by the channels bound to it (one per event loop):
   * how many are open and their {@link IdleConnections.Slot}s.
   */
  static final class Listener {
    final AtomicInteger open = new AtomicInteger();
    final Set<IdleConnections.Slot> slots = ConcurrentHashMap.newKeySet();
    /** Evictions started and not yet done (closed, or called off because the connection got busy). */
    final AtomicInteger evicting = new AtomicInteger();
  }

  /** A connection chosen by a scan, with the {@code idleSince} the scan read. */
  record Candidate(IdleConnections.Slot slot, long seen) {}

  private final int max;
  /** From {@code max - slack} open connections on, each new one evicts an idle one: room for those still closing on their own loops. */
  private final int slack;
  private final Function<SocketAddress, Listener> listeners;
  /** This channel's address's connections, shared with the other channels bound to it. */
  private Listener listener;
  /** This channel's port, or -1 (a domain socket). */
  private int port = -1;
  /** Oldest first; confined to this listening channel's event loop. */
  private final ArrayDeque<Candidate> candidates = new ArrayDeque<>();
  /** No scan before this ({@link System#nanoTime()}); compared by difference, as nanoTime's origin is arbitrary. */
  private long nextScan = System.nanoTime();
  private long nextPauseMillis = FIRST_PAUSE_MILLIS;
  private boolean paused;
  /** Over the cap: accepting stops until evicted connections have closed ({@link #holdAccepting}). */
  private boolean full;

  /**
   * Holds the listener to {@code max} open connections, counted by {@code listeners} for its local
   * address: Vert.x may bind one listening channel per event loop to the same address.
   */
  AcceptGuard(int max, Function<SocketAddress, Listener> listeners) {
    this.max = max;
    this.slack = slack(max);
    this.listeners = listeners;
  }

  /** A sixteenth of the cap, 1 to 64. */
  static int slack(int max) {
    return (int) Math.max(1, Math.min(64, max / 16L));
  }

  /**
   * How far over the cap connections accepted while evictions close are kept (past it they are
   * closed at once): the slack, at least 8, since each listening channel (one per event loop) may
   * take one before it stops reading, and again each time it resumes.
   */
  static int overCap(int slack) {
    return Math.max(8, slack);
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

  /** Idle connections closed to make room for a new one, on every guarded listener. */
  static long evicted() {
    return IdleConnections.evicted();
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
    if (listener == null) {
      SocketAddress local = ctx.channel().localAddress();
      listener = listeners.apply(local);
      port = local instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }
    Listener listener = this.listener;
    AtomicInteger open = listener.open;
    int count = open.incrementAndGet();
    if (count > max) {
      // At the cap, the connection just accepted is kept when an idle one is evicted for it, or
      // while evicted ones are still closing on their loops (room is on its way), and accepting
      // stops until the count is back under the cap: the next clients wait in the kernel's
      // backlog for the evicted connections to close rather than being refused. The overshoot is
      // bounded by overCap.
      if (count > max + overCap(slack) || !(evictOne() || listener.evicting.get() > 0)) {
        open.decrementAndGet();
        REFUSED.increment();
        // Not registered with an event loop yet: closing now gives the descriptor back at once.
        connection.unsafe().closeForcibly();
        CAPPED.warn("a client connection was closed as soon as accepted: its listener holds limits.max_connections ({}),"
            + " too few of them idle", max);
        return;
      }
      holdAccepting(ctx);
    } else if (count > max - slack) {
      // Within the slack of the cap, each new connection evicts one idle, so that the cap is rarely
      // reached while evicted connections close on their own loops.
      evictOne();
    }
    OPEN.incrementAndGet();
    IdleConnections.Slot slot = new IdleConnections.Slot(connection, System.nanoTime());
    connection.attr(IdleConnections.SLOT).set(slot);
    listener.slots.add(slot);
    connection.closeFuture().addListener(f -> {
      listener.slots.remove(slot);
      open.decrementAndGet();
      OPEN.decrementAndGet();
    });
    AcceptedConnections.accepted(port, connection);
    ctx.fireChannelRead(connection);
  }

  /**
   * Chooses the connection idle longest among this listener's, and has it closed on its own loop.
   * The choice comes from a batch of the {@link #BATCH} longest idle found by one scan of the
   * listener's connections, so a scan's cost (one read per open connection) is shared by up to
   * {@link #BATCH} accepts; a candidate that has had a request since the scan is passed over.
   */
  private boolean evictOne() {
    if (!IdleConnections.evicting(port)) return false;
    for (int pass = 0; pass < 2; pass++) {
      Candidate c;
      while ((c = candidates.pollFirst()) != null) {
        if (c.slot().idleSince == c.seen() && c.slot().pick()) {
          c.slot().evict(c.seen(), listener.evicting);
          EVICTING.warn("idle client connections are closed to make room for new ones: the listener holds"
              + " limits.max_connections ({})", max);
          return true;
        }
      }
      if (pass == 0 && !scan()) return false;
    }
    return false;
  }

  /** Fills {@link #candidates} with the longest idle connections; false if it found none. */
  private boolean scan() {
    long now = System.nanoTime();
    if (now - nextScan < 0) return false;
    List<Candidate> oldest = oldestIdle(listener.slots, BATCH);
    if (oldest.isEmpty()) {
      nextScan = now + EMPTY_SCAN_PAUSE_NANOS;
      return false;
    }
    candidates.addAll(oldest);
    return true;
  }

  /**
   * The {@code n} connections of {@code slots} idle longest, as they are read now, longest first;
   * busy ones, and those already chosen for eviction, are left out. One read per slot, and a heap of {@code n}.
   */
  static List<Candidate> oldestIdle(Iterable<IdleConnections.Slot> slots, int n) {
    // The n oldest idle ones: a heap with the youngest of them on top. Times are compared by their
    // difference, as System.nanoTime's are.
    PriorityQueue<Candidate> oldest = new PriorityQueue<>(n + 1, (a, b) -> Long.signum(b.seen() - a.seen()));
    for (IdleConnections.Slot slot : slots) {
      long since = slot.idleSince;
      if (since == IdleConnections.BUSY || slot.picked()) continue;
      if (oldest.size() < n) {
        oldest.add(new Candidate(slot, since));
      } else if (since - oldest.peek().seen() < 0) {
        oldest.poll();
        oldest.add(new Candidate(slot, since));
      }
    }
    Candidate[] sorted = oldest.toArray(new Candidate[0]);
    Arrays.sort(sorted, (a, b) -> Long.signum(a.seen() - b.seen()));
    return Arrays.asList(sorted);
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

  /** While paused or full, the transport's requests to accept again are held back; the pause's end makes one. */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!paused && !full) ctx.read();
  }

  /**
   * Stops accepting while the listener is over its cap, until evicted connections have closed:
   * checked every {@link #FULL_CHECK_MICROS}. Should no eviction be under way while still over
   * (the connection chosen got a request meanwhile), one more is started; with none idle,
   * accepting resumes, and what comes next is refused.
   */
  private void holdAccepting(ChannelHandlerContext ctx) {
    if (full) return;
    full = true;
    ctx.channel().config().setAutoRead(false);
    ctx.channel().eventLoop().schedule(() -> checkFull(ctx), FULL_CHECK_MICROS, TimeUnit.MICROSECONDS);
  }

  private void checkFull(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    boolean stay = channel.isOpen() && listener.open.get() >= max && (listener.evicting.get() > 0 || evictOne());
    if (stay) {
      channel.eventLoop().schedule(() -> checkFull(ctx), FULL_CHECK_MICROS, TimeUnit.MICROSECONDS);
      return;
    }
    full = false;
    if (channel.isOpen() && !paused) {
      channel.config().setAutoRead(true);
      ctx.read();
    }
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
      if (listener.isOpen() && !full) {
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
