package gatehouse.trace;

import io.vertx.core.MultiMap;

/** Starts each request's {@link RequestTrace}. Safe on any thread. */
public interface RequestTracing {
  /**
   * The trace of a request with {@code headers} and {@code method}: its caller's trace continued
   * when {@code trustedPeer} (the connection's peer is one of {@code forwarding.trusted_proxies})
   * and its {@code traceparent} is valid, a new trace otherwise.
   */
  RequestTrace start(MultiMap headers, boolean trustedPeer, String method);

  /** Trace context only: ids continued or made and forwarded, no span recorded. Allocates one small value per request. */
  RequestTracing CONTEXT_ONLY = ContextTrace::start;
}
