package gatehouse.proxy;

import gatehouse.pipeline.Rejection;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Maps what went wrong before the upstream's response headers arrived to the rejection the client
 * gets. Refused or unresolvable: 502 {@code upstream_unreachable}. No answer in time, connecting
 * included: 504; waiting behind busy pooled connections: 504 marked {@code queued}. A failed TLS handshake (untrusted or
 * misnamed certificate, client certificate refused): 502 {@code upstream_tls}. Anything else (the
 * connection closed or was reset, or the response could not be parsed): 502 {@code upstream_reset}.
 * Every pooled connection busy and {@code max_pending} requests already waiting: 503 {@code
 * upstream_busy} with {@code Retry-After}.
 */
final class UpstreamFailures {

  static final String UNREACHABLE = "upstream_unreachable";
  static final String RESET = "upstream_reset";
  static final String TLS = "upstream_tls";
  static final String BUSY = "upstream_busy";
  /** A pooled connection usually frees within a second; the client may then try again. */
  static final java.time.Duration BUSY_RETRY_AFTER = java.time.Duration.ofSeconds(1);

  private UpstreamFailures() {}

  static Rejection beforeResponse(String upstream, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
        return new Rejection.Busy(BUSY, BUSY_RETRY_AFTER);
      }
      if (t instanceof Upstream.QueueTimeout) return new Rejection.GatewayTimeout(true);
      // ConnectTimeoutException extends ConnectException: test it first.
      if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
        return new Rejection.GatewayTimeout(false);
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return new Rejection.BadGateway(TLS, "upstream '" + upstream + "' failed the TLS handshake");
      }
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException) {
        return new Rejection.BadGateway(UNREACHABLE, "upstream '" + upstream + "' is unreachable");
      }
    }
    return new Rejection.BadGateway(
        RESET, "upstream '" + upstream + "' closed the connection without a valid response");
  }

  /**
   * An interim (1xx) response that the client library took for the final one: 102 and other codes
   * it does not know, or 101 to a request that did not ask to upgrade. Not relayed: its final
   * response would follow on the connection, which is closed instead.
   */
  static Rejection interim(String upstream, int status) {
    return new Rejection.BadGateway(RESET, "upstream '" + upstream + "' sent an interim " + status + " response the gateway does not relay");
  }

  /** The innermost TLS exception's message: the handshake's own reason. */
  static String tlsReason(Throwable failure) {
    String reason = "unknown";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException && t.getMessage() != null) reason = t.getMessage();
    }
    return reason;
  }
}
