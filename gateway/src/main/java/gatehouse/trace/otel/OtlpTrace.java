package gatehouse.trace.otel;

import gatehouse.trace.RequestTrace;
import gatehouse.trace.Stage;
import gatehouse.trace.TraceContexts;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import java.util.Optional;

/**
 * One request's spans: the server span, started with the request, and the client span of its
 * upstream call, started when the upstream request's headers are written. Their attributes are
 * values the gateway made or chose (method, route id, upstream name, status, error code, request
 * id, the kind of credential); never a header, the target, a credential or who the client is.
 * Event-loop confined.
 */
final class OtlpTrace implements RequestTrace {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gatehouse.request_id");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("gatehouse.outcome");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("gatehouse.error");
  static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("gatehouse.upstream");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("gatehouse.auth.scheme");

  private final Tracer tracer;
  private final Span server;
  private final String method;
  /** The caller's tracestate, forwarded as received; null when none is continued. */
  private final String traceState;
  private Span client;

  private OtlpTrace(Tracer tracer, Span server, String method, String traceState) {
    this.tracer = tracer;
    this.server = server;
    this.method = method;
    this.traceState = traceState;
  }

  static OtlpTrace start(Tracer tracer, MultiMap headers, boolean trustedPeer, String method) {
    Context parent = Context.root();
    String state = null;
    Optional<TraceContexts.Continued> continued = trustedPeer ? TraceContexts.continued(headers) : Optional.empty();
    if (continued.isPresent()) {
      SpanContext caller = SpanContext.createFromRemoteParent(continued.get().parent().traceId(), continued.get().parent().parentId(),
          continued.get().parent().sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
      parent = parent.with(Span.wrap(caller));
      state = continued.get().state().orElse(null);
    }
    Span server = tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER).setAttribute(METHOD, method).startSpan();
    return new OtlpTrace(tracer, server, method, state);
  }

  @Override
  public String traceId() {
    return server.getSpanContext().getTraceId();
  }

  @Override
  public void stage(Stage stage) {
    server.addEvent(stage.event());
  }

  @Override
  public void propagate(MultiMap upstream) {
    if (client == null) {
      client = tracer.spanBuilder(method).setParent(Context.root().with(server)).setSpanKind(SpanKind.CLIENT)
          .setAttribute(METHOD, method).startSpan();
    }
    SpanContext sent = client.getSpanContext();
    TraceContexts.write(upstream, sent.getTraceId(), sent.getSpanId(), sent.isSampled(), traceState);
  }

  @Override
  public boolean recording() {
    return server.isRecording();
  }

  @Override
  public void end(Ending ending) {
    if (client != null) {
      ending.upstream().ifPresent(u -> client.setAttribute(UPSTREAM, u));
      if (ending.outcome().equals("forwarded")) {
        client.setAttribute(STATUS, (long) ending.status());
        if (ending.status() >= 500) client.setStatus(StatusCode.ERROR);
      } else {
        client.setStatus(StatusCode.ERROR, ending.outcome());
      }
      client.end();
    }
    server.setAttribute(REQUEST_ID, ending.requestId());
    server.setAttribute(OUTCOME, ending.outcome());
    if (ending.status() > 0) server.setAttribute(STATUS, (long) ending.status());
    ending.error().ifPresent(e -> server.setAttribute(ERROR, e));
    ending.route().ifPresent(r -> {
      server.setAttribute(ROUTE, r);
      server.updateName(method + " " + r);
    });
    ending.upstream().ifPresent(u -> server.setAttribute(UPSTREAM, u));
    ending.scheme().ifPresent(s -> server.setAttribute(SCHEME, s));
    // Semantic conventions: a server span is an error for 5xx only; a 4xx is the client's.
    if (ending.status() >= 500) server.setStatus(StatusCode.ERROR);
    server.end();
  }
}
