package gatehouse.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which accepted connections may be evicted when their listener holds {@code
 * limits.max_connections}: those with no request in flight, longest idle first, as nginx reuses
 * its idle keep-alive connections when {@code worker_connections} run out ({@code
 * ngx_drain_connections}). Without it, clients that open connections and send nothing fill the cap
 * and every new client is closed as soon as it is accepted (issue 20, §3).
 *
 * <p>The HTTP layer reports each connection's state through its {@link Slot}: {@link Slot#busy()}
 * when a request head arrives, {@link Slot#idle(long)} when its response is done (HTTP/1) or its
 * last stream closed (HTTP/2). A connection is idle from its accept until its first request. Only
 * listeners whose port was named with {@link #evictOn(int)} evict; the admin listener does not.
 */
public final class IdleConnections {
  /** A connection's {@link Slot#idleSince} while a request is in flight. */
  static final long BUSY = Long.MAX_VALUE;

  static final AttributeKey<Slot> SLOT = AttributeKey.valueOf("gatehouse-connection-slot");
  private static final Set<Integer> EVICTING_PORTS = ConcurrentHashMap.newKeySet();
  private static final LongAdder EVICTED = new LongAdder();

  private IdleConnections() {}

  /** Connections on listeners bound to {@code port} may be evicted from now on. */
  public static void evictOn(int port) {
    EVICTING_PORTS.add(port);
  }

  /** Undoes {@link #evictOn(int)}, as the listener on {@code port} stops. */
  public static void stopEvictingOn(int port) {
    EVICTING_PORTS.remove(port);
  }

  static boolean evicting(int port) {
    return EVICTING_PORTS.contains(port);
  }

  /** Connections closed in this process to make room for a new one. */
  static long evicted() {
    return EVICTED.sum();
  }

  /** {@code connection}'s slot, or null if no guarded listener accepted it. */
  public static Slot slot(Channel connection) {
    return connection.attr(SLOT).get();
  }

  /**
   * One accepted connection's state. Written on the connection's event loop only; read by the
   * accept side, on another loop, to choose whom to evict, and checked again on the connection's
   * own loop before it is closed, so a connection with a request in flight is never closed.
   */
  public static final class Slot {
    private static final VarHandle PICKED;

    static {
      try {
        PICKED = MethodHandles.lookup().findVarHandle(Slot.class, "picked", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Channel channel;
    /** When the connection last became idle ({@link System#nanoTime()}), or {@link #BUSY}. */
    volatile long idleSince;
    /** Set once an accept side has chosen to evict this connection, so no other chooses it too. */
    @SuppressWarnings("unused")
    private volatile boolean picked;

    Slot(Channel channel, long acceptedAt) {
      this.channel = channel;
      this.idleSince = acceptedAt;
    }

    /** A request is in flight: this connection is not evicted until {@link #idle(long)}. */
    public void busy() {
      idleSince = BUSY;
    }

    /** No request is in flight since {@code nanoTime} ({@link System#nanoTime()}'s scale). */
    public void idle(long nanoTime) {
      idleSince = nanoTime == BUSY ? BUSY - 1 : nanoTime;
    }

    /** Whether an accept side has chosen to evict this connection (and not called it off). */
    boolean picked() {
      return picked;
    }

    boolean pick() {
      return PICKED.compareAndSet(this, false, true);
    }

    /**
     * Closes the connection on its own event loop if it is still idle since {@code seen}, which the
     * accept side read when it chose it; else leaves it to be chosen again later. {@code evicting}
     * counts it until it is closed or left.
     */
    void evict(long seen, AtomicInteger evicting) {
      if (!channel.isRegistered()) {
        picked = false;
        return;
      }
      evicting.incrementAndGet();
      channel.eventLoop().execute(() -> {
        if (idleSince == seen && channel.isOpen()) {
          EVICTED.increment();
          channel.close().addListener(f -> evicting.decrementAndGet());
        } else {
          picked = false;
          evicting.decrementAndGet();
        }
      });
    }
  }
}
