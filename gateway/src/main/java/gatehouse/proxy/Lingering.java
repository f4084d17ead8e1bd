package gatehouse.proxy;

import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ends an HTTP/1 connection whose reply said {@code Connection: close} because the request's body
 * was not going to be forwarded. Closing at once could reset the connection while the client is
 * still sending, and a reset can destroy the reply before the client reads it; keeping the
 * connection open lets a client stream a body nobody wants for as long as it likes. So the
 * connection closes when both the reply is written and the body is read (and dropped), or after
 * {@code limit} from now, whichever comes first.
 */
public final class Lingering {
  private Lingering() {}

  /**
   * Call on {@code in}'s event loop, before its response ends: Vert.x closes a connection that is
   * shutting down at once when no response is in progress, unread body or not.
   */
  public static void closeWhenDrained(HttpServerRequest in, Duration limit) {
    in.connection().shutdown(limit.toMillis(), TimeUnit.MILLISECONDS);
  }
}
