package gatehouse.testing;

import gatehouse.transport.NetworkTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Vert.x instance of an end-to-end test, on the transport the gateway itself would choose:
 * io_uring on CI's machines. {@code -Dgatehouse.test.transport=epoll} (or {@code nio},
 * {@code io_uring}) runs the suite on another one; CI does so for epoll, the fallback.
 */
public final class TestVertx {
  /** The system property that picks the transport. */
  public static final String PROPERTY = "gatehouse.test.transport";

  private TestVertx() {}

  /** The transport {@link #PROPERTY} names ({@code auto} when unset). */
  public static NetworkTransport transport() {
    String name = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    return NetworkTransport.select(NetworkTransport.Choice.parse(name).orElseThrow(
        () -> new IllegalArgumentException(PROPERTY + ": expected auto, io_uring, epoll or nio, got '" + name + "'")));
  }

  /** A new Vert.x on {@link #transport()} with two event loops, as on CI's 2-core machines. */
  public static Vertx create() {
    return transport().newVertx(2);
  }

  /** The result of {@code future}, waiting up to 30 s on the test thread; a failure or a timeout fails the test. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
