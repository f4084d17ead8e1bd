package gatehouse.trace;

import io.vertx.core.MultiMap;
import java.util.Optional;

/**
 * One request's place in a trace. Confined to the request's event loop; no method blocks or
 * throws. When the gateway records no spans ({@link #recording} false) {@link #stage} and
 * {@link #end} do nothing.
 */
public interface RequestTrace {
  /** The trace id, 32 lowercase hex digits: the one forwarded upstream and written in the access log. */
  String traceId();

  /** Notes that {@code stage} has run, whatever it decided. */
  void stage(Stage stage);

  /**
   * Sets {@code traceparent} on {@code upstream} (the headers about to be sent upstream) with this
   * hop's own span id, and {@code tracestate} when one is continued; removes any other value of
   * either. Called once per upstream request.
   */
  void propagate(MultiMap upstream);

  /** Whether {@link #end} records anything; when false, the caller need not build an {@link Ending}. */
  boolean recording();

  /** Ends the request's spans with how it ended. */
  void end(Ending ending);

  /**
   * How a request ended, as a span may show it: nothing of a credential, and of the identity only
   * the kind of credential that proved it.
   *
   * @param requestId the gateway's request id
   * @param status the status the client was answered; 0 when the exchange was cut before one was sent
   * @param outcome {@code forwarded}, {@code rejected}, {@code upstream_failed} or {@code aborted}
   * @param error the stable error code of a reply the gateway wrote
   * @param route the id of the route that matched
   * @param upstream the upstream forwarded to
   * @param scheme how the client was authenticated ({@code jwt}, {@code api_key}, ...)
   */
  record Ending(String requestId, int status, String outcome, Optional<String> error, Optional<String> route, Optional<String> upstream,
      Optional<String> scheme) {}
}
