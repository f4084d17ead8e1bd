package gatehouse.transport;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * The default of {@code limits.max_connections}: what the process's descriptor limit leaves for
 * client connections once the rest is set aside, so that clients alone cannot exhaust it.
 *
 * <pre>
 * max_connections = max(limit / 8, limit - upstream connections - 128)
 * upstream connections = (sum of every upstream's max_connections) x event loops
 * </pre>
 *
 * The 128 kept besides are for the JVM's own descriptors (class path jars, /dev/urandom), the log
 * files, the admin listener and its clients, each event loop's epoll or io_uring descriptors, JWKS
 * and introspection clients and the API-key database pool. An eighth of the limit at least, so
 * that a small limit still serves some clients.
 */
public final class ConnectionBudget {
  static final long RESERVED = 128;
  /** The default where the descriptor limit cannot be read (a JVM that is not on Unix). */
  static final int WITHOUT_DESCRIPTOR_LIMIT = 16_384;

  private ConnectionBudget() {}

  /** The default cap for this process's descriptor limit, with {@code upstreamConnections} set aside. */
  public static int defaultMax(long upstreamConnections) {
    return defaultMax(descriptorLimit(), upstreamConnections);
  }

  static int defaultMax(OptionalLong descriptorLimit, long upstreamConnections) {
    if (descriptorLimit.isEmpty()) return WITHOUT_DESCRIPTOR_LIMIT;
    long limit = descriptorLimit.getAsLong();
    long left = limit - upstreamConnections - RESERVED;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(Math.max(1, limit / 8), left));
  }

  /** The process's descriptor limit ({@code ulimit -n}), where the JVM can tell. */
  static OptionalLong descriptorLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      if (max > 0) return OptionalLong.of(max);
    }
    return OptionalLong.empty();
  }
}
