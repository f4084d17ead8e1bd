package gatehouse.transport;

import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the HTTP layer adds to each connection a guarded listener accepts, before Vert.x sets the
 * connection up: the one place a handler can be put ahead of everything Vert.x adds, as Vert.x
 * offers no per-connection hook before its first byte is read. Keyed by the listener's port, like
 * {@link IdleConnections#evictOn(int)}.
 */
public final class AcceptedConnections {
  private static final Map<Integer, Consumer<Channel>> SETUPS = new ConcurrentHashMap<>();

  private AcceptedConnections() {}

  /** From now on, {@code setup} is run on each connection accepted on {@code port}, on the accepting loop, before it is registered. */
  public static void setUpOn(int port, Consumer<Channel> setup) {
    SETUPS.put(port, setup);
  }

  /** Undoes {@link #setUpOn}, as the listener on {@code port} stops. */
  public static void stopSettingUpOn(int port) {
    SETUPS.remove(port);
  }

  static void accepted(int port, Channel connection) {
    Consumer<Channel> setup = SETUPS.get(port);
    if (setup != null) setup.accept(connection);
  }
}
