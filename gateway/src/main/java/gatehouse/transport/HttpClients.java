package gatehouse.transport;

import io.vertx.core.Closeable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.impl.CleanableHttpClient;
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * Closing an HTTP client so that Vert.x lets go of it. Vert.x 5.0 registers every client built with
 * {@code httpClientBuilder()} with the close future of the context that built it (or of Vert.x) and
 * never removes it when the client closes (eclipse-vertx/vert.x#6268, fixed in 5.1): each closed
 * client, its pool and its last channel stayed reachable, about 1.5 KiB per client, one or more
 * per config reload (upstream pools, JWKS and introspection clients). Remove this class with the
 * move to Vert.x 5.1.
 */
public final class HttpClients {
  private HttpClients() {}

  /**
   * What {@link #close} needs to release {@code justBuilt}: call it on the thread (or context)
   * that built the client, right after building it, where Vert.x chose the owner the same way.
   */
  public static Runnable releaser(Vertx vertx, HttpClientAgent justBuilt) {
    if (!(justBuilt instanceof CleanableHttpClient cleanable)) return () -> {};
    Closeable registered = cleanable.delegate;
    VertxInternal internal = (VertxInternal) vertx;
    ContextInternal context = internal.getContext();
    CloseFuture owner = context != null ? context.closeFuture() : internal.closeFuture();
    return () -> owner.remove(registered);
  }

  /** Closes {@code client}, then runs its {@code releaser}. */
  public static Future<Void> close(HttpClientAgent client, Runnable releaser) {
    return client.close().andThen(ar -> releaser.run());
  }
}
