/**
 * W3C Trace Context: a request's {@code traceparent} and {@code tracestate} are continued when its
 * peer is a trusted proxy and started afresh otherwise, and forwarded upstream with the gateway's
 * own span id. {@link gatehouse.trace.RequestTracing} starts a {@link gatehouse.trace.RequestTrace}
 * per request; spans are recorded only by {@code trace.otel}, when {@code tracing.otlp} is set.
 */
package gatehouse.trace;
