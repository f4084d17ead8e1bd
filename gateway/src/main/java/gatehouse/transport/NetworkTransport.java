package gatehouse.transport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.Optional;

/**
 * How the event loops talk to the kernel: Linux io_uring, epoll, or the JDK's NIO selector. Chosen
 * once, by {@code runtime.transport}, before the Vert.x instance is made.
 *
 * <p>Why io_uring is the default where it works: a proxied request costs four socket calls (read
 * the client, write the upstream, read the upstream, write the client). With epoll each is a
 * system call of its own; io_uring queues them and submits a whole event-loop turn in one, which
 * matters most on a virtual machine, where every system call is dear (bench/NOTES.md). Kernels
 * that refuse io_uring (the
 * {@code kernel.io_uring_disabled} sysctl, seccomp profiles such as Docker's default, kernels
 * before 5.x) are found out at start, and {@code auto} falls back to epoll with a warning that
 * says why.
 *
 * <p>Immutable.
 */
public final class NetworkTransport {
  /**
   * Netty's system property for io_uring's multishot accept, set to {@code false} here unless
   * given: with one multishot request, the kernel accepts every queued connection into the
   * process's descriptor table whether or not the listener still reads, so neither the cap nor
   * the back-off of {@link AcceptGuard} holds. In a connect storm under {@code nofile 1024} that
   * meant hundreds of connections past the cap, each closed at once (a canary among them sees a
   * reset), and EMFILE. With one accept request at a time, a listener that stops reading leaves
   * the rest in the kernel's backlog. Set before Netty's {@code IoUring} class reads it, which is
   * when a transport is first selected.
   */
  static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";

  static {
    if (System.getProperty(ACCEPT_MULTISHOT) == null) System.setProperty(ACCEPT_MULTISHOT, "false");
  }

  /** What {@code runtime.transport} asks for. */
  public enum Choice {
    /** io_uring where the kernel allows it, else epoll, else NIO. */
    AUTO("auto"),
    /** io_uring or refuse to start. */
    IO_URING("io_uring"),
    /** epoll or refuse to start. */
    EPOLL("epoll"),
    /** The JDK's selector: portable, and the slowest. */
    NIO("nio");

    private final String configName;

    Choice(String configName) {
      this.configName = configName;
    }

    /** As written in the config file. */
    public String configName() {
      return configName;
    }

    /** The choice written {@code name} in the config file, if any. */
    public static Optional<Choice> parse(String name) {
      for (Choice c : values()) {
        if (c.configName.equals(name)) return Optional.of(c);
      }
      return Optional.empty();
    }
  }

  private final Transport transport;
  private final String name;
  private final String fallbackReason;

  private NetworkTransport(Transport transport, String name, String fallbackReason) {
    this.transport = transport;
    this.name = name;
    this.fallbackReason = fallbackReason;
  }

  /**
   * Chooses by {@code choice} among the transports this machine offers.
   *
   * @throws IllegalStateException when {@code IO_URING} or {@code EPOLL} was asked for and cannot
   *     be used here, with the reason
   */
  public static NetworkTransport select(Choice choice) {
    return select(choice, Transport.IO_URING, Transport.EPOLL);
  }

  /**
   * As {@link #select(Choice)} with the native transports given (either may be null, as Vert.x's
   * are where absent): the seam that lets tests take every fallback on any kernel.
   */
  static NetworkTransport select(Choice choice, Transport ioUring, Transport epoll) {
    switch (choice) {
      case NIO:
        return new NetworkTransport(Transport.NIO, "nio", null);
      case IO_URING: {
        String problem = problem(ioUring);
        if (problem != null) throw new IllegalStateException("io_uring was asked for, but cannot be used here: " + problem);
        return new NetworkTransport(ioUring, "io_uring", null);
      }
      case EPOLL: {
        String problem = problem(epoll);
        if (problem != null) throw new IllegalStateException("epoll was asked for, but cannot be used here: " + problem);
        return new NetworkTransport(epoll, "epoll", null);
      }
      case AUTO: {
        String uring = problem(ioUring);
        if (uring == null) return new NetworkTransport(ioUring, "io_uring", null);
        String why = "io_uring: " + uring;
        String e = problem(epoll);
        if (e == null) return new NetworkTransport(epoll, "epoll", why);
        return new NetworkTransport(Transport.NIO, "nio", why + "; epoll: " + e);
      }
      default:
        throw new AssertionError("unknown transport choice " + choice);
    }
  }

  /** Why {@code t} cannot be used, or null when it can. Never throws. */
  private static String problem(Transport t) {
    if (t == null) return "not on the class path (or not this operating system)";
    try {
      if (t.available()) return null;
      Throwable cause = t.unavailabilityCause();
      if (cause == null) return "not available";
      // The innermost cause names the refusal (EPERM from seccomp, ENOSYS from an old kernel).
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      return root == cause ? message : cause.getClass().getSimpleName() + ": " + message;
    } catch (RuntimeException | LinkageError e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }

  /**
   * A Vert.x instance on this transport with {@code eventLoops} event loops, whose listeners each
   * hold at most {@code maxConnections} connections and pause accepting while the process is out
   * of descriptors ({@link AcceptGuard}), on every transport.
   *
   * <p>On NIO, {@link Vertx#isNativeTransportEnabled()} then says true: Vert.x 5 answers it with
   * {@code !(transport instanceof NioTransport)}, and the guard wraps the transport. Nothing in
   * Vert.x acts on that answer (it reads it only to say why no native transport is in use, and
   * the NIO transport's own {@code configure} methods still run), so the guard is worth more than
   * the flag; {@link #name()} says which transport is in use.
   */
  public Vertx newVertx(int eventLoops, int maxConnections) {
    Transport guarded = GuardedTransport.around(transport, maxConnections);
    return Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(eventLoops)).withTransport(guarded).build();
  }

  /** As {@link #newVertx(int, int)} with no cap on connections. */
  public Vertx newVertx(int eventLoops) {
    return newVertx(eventLoops, Integer.MAX_VALUE);
  }

  /** The counts of every listener of a Vert.x made by {@link #newVertx}, in this process. */
  public record ListenerCounts(int open, long refused, long evicted, long acceptFailures, long acceptPauses) {}

  /** The counts now; see {@link ListenerCounts}. */
  public static ListenerCounts listenerCounts() {
    return new ListenerCounts(AcceptGuard.open(), AcceptGuard.refused(), AcceptGuard.evicted(), AcceptGuard.failures(), AcceptGuard.pauses());
  }

  /** {@code io_uring}, {@code epoll} or {@code nio}: the name the config uses. */
  public String name() {
    return name;
  }

  /** Why {@code auto} did not get io_uring, when it did not. */
  public Optional<String> fallbackReason() {
    return Optional.ofNullable(fallbackReason);
  }

  @Override
  public String toString() {
    return name;
  }
}
