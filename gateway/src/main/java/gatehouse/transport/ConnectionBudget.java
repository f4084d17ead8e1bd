package gatehouse.transport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.OptionalLong;

/**
 * The default of {@code limits.max_connections}: the fewer of what the process's descriptor limit
 * leaves for client connections once the rest is set aside, and what its heap can hold, so that
 * clients alone can exhaust neither.
 *
 * <pre>
 * by descriptors = max(limit / 8, limit - upstream connections - 128)
 * upstream connections = (sum of every upstream's max_connections) x event loops
 * by heap = max(256, (old generation's maximum - 32 MiB) / (8 KiB + 2 x limits.max_header_size))
 * </pre>
 *
 * The 128 descriptors kept besides are for the JVM's own descriptors (class path jars,
 * /dev/urandom), the log files, the admin listener and its clients, each event loop's epoll or
 * io_uring descriptors, JWKS and introspection clients and the API-key database pool. An eighth of
 * the limit at least, so that a small limit still serves some clients.
 *
 * <p>The heap bound is what a connection can make the gateway hold before it has sent a whole
 * request head: Netty's and Vert.x's state for it (about 8 KiB), and the head, whose fields the
 * decoder keeps as objects of about twice their bytes (measured: 36 KB for an unfinished head of
 * 15 KB in 98 long fields, 21 KB for one of 95 five-byte fields). Without it, 5,000 connections
 * each sending 15 KB of a head that never ends ran the launcher's 160 MiB heap out and the gateway
 * exited (issue 20). The 32 MiB are for everything else the gateway keeps (its config, caches,
 * requests in flight). Against the old generation, not the whole heap: what stays that long is
 * promoted there, and the young generation must stay free to collect.
 */
public final class ConnectionBudget {
  static final long RESERVED = 128;
  /** The default where the descriptor limit cannot be read (a JVM that is not on Unix). */
  static final int WITHOUT_DESCRIPTOR_LIMIT = 16_384;

  private ConnectionBudget() {}

  /** Heap the gateway keeps besides client connections. */
  static final long HEAP_RESERVED = 32L << 20;
  /** The least the heap bound gives, however small the heap. */
  static final int HEAP_FLOOR = 256;

  /** The default cap for this process's descriptor limit and heap, with {@code upstreamConnections} set aside. */
  public static int defaultMax(long upstreamConnections, int maxHeaderBytes) {
    return Math.min(defaultMax(descriptorLimit(), upstreamConnections), byHeap(oldGenerationMax(), maxHeaderBytes));
  }

  /** What a heap whose old generation may grow to {@code oldGeneration} bytes holds, with heads up to {@code maxHeaderBytes}. */
  static int byHeap(long oldGeneration, int maxHeaderBytes) {
    long perConnection = (8L << 10) + 2L * maxHeaderBytes;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(HEAP_FLOOR, (oldGeneration - HEAP_RESERVED) / perConnection));
  }

  /** The heap the old generation leaves for clients' connections and requests: its maximum less {@link #HEAP_RESERVED}. */
  public static long heapForClients() {
    return Math.max(0, oldGenerationMax() - HEAP_RESERVED);
  }

  /** The old generation's maximum size ({@code Tenured Gen}, {@code G1 Old Gen}...), or the heap's where no pool says. */
  static long oldGenerationMax() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      String name = pool.getName();
      long max = pool.getUsage().getMax();
      if (pool.getType() == MemoryType.HEAP && max > 0 && (name.contains("Old") || name.contains("Tenured"))) return max;
    }
    return Runtime.getRuntime().maxMemory();
  }

  /** The bound by descriptors alone. */
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
