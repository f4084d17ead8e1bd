/**
 * Optional OpenTelemetry spans ({@code tracing.otlp}): a server span per request with the stages as
 * events, and a client span for the upstream call, exported over OTLP/HTTP by the SDK's batch
 * processor, off the event loops. The only package that uses the OpenTelemetry SDK.
 */
package gatehouse.trace.otel;
