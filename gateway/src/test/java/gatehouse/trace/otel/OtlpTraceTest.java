package gatehouse.trace.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.trace.RequestTrace;
import gatehouse.trace.Stage;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One request's spans with the SDK, exported to a list: the same trust rule as trace context
 * alone (a client's traceparent is not its parent unless its peer is trusted), the caller's
 * sampled flag followed, and the upstream told the client span.
 */
class OtlpTraceTest {
  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  private final List<SpanData> exported = new CopyOnWriteArrayList<>();
  private final SdkTracerProvider provider = SdkTracerProvider.builder()
      .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
      .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          exported.addAll(spans);
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      }))
      .build();

  @AfterEach
  void close() {
    provider.close();
  }

  private MultiMap forwardedFrom(MultiMap client, boolean trusted) {
    RequestTrace trace = OtlpTrace.start(provider.get("test"), client, trusted, "GET");
    trace.stage(Stage.ROUTE);
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().addAll(client);
    trace.propagate(upstream);
    if (trace.recording()) trace.end(new RequestTrace.Ending("r1", 200, "forwarded", Optional.empty(), Optional.of("public"),
        Optional.of("app"), Optional.empty()));
    return upstream;
  }

  private static MultiMap caller(String flags) {
    return MultiMap.caseInsensitiveMultiMap().add("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-" + flags)
        .add("tracestate", "rojo=1");
  }

  private SpanData span(SpanKind kind) {
    return exported.stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow(() -> new AssertionError("no " + kind + " span"));
  }

  @Test
  void aTrustedCallerIsTheServerSpansParentAndTheClientSpanIsTheUpstreamsParent() {
    MultiMap upstream = forwardedFrom(caller("01"), true);
    SpanData server = span(SpanKind.SERVER);
    SpanData client = span(SpanKind.CLIENT);
    assertEquals(CALLER_TRACE, server.getTraceId());
    assertEquals(CALLER_SPAN, server.getParentSpanId());
    assertEquals(server.getSpanId(), client.getParentSpanId());
    assertEquals("00-" + CALLER_TRACE + "-" + client.getSpanId() + "-01", upstream.get("traceparent"));
    assertEquals("rojo=1", upstream.get("tracestate"));
    assertEquals("GET public", server.getName());
    assertEquals(List.of("route"), server.getEvents().stream().map(e -> e.getName()).toList());
  }

  @Test
  void anUntrustedClientsTraceparentIsNotTheParentAndIsNotForwarded() {
    MultiMap upstream = forwardedFrom(caller("01"), false);
    SpanData server = span(SpanKind.SERVER);
    assertNotEquals(CALLER_TRACE, server.getTraceId());
    assertFalse(server.getParentSpanContext().isValid(), "a root span");
    assertFalse(upstream.get("traceparent").contains(CALLER_TRACE));
    assertNull(upstream.get("tracestate"));
  }

  @Test
  void aTrustedCallerThatDidNotSampleIsNotRecordedAndTheUpstreamIsToldSo() {
    MultiMap upstream = forwardedFrom(caller("00"), true);
    assertTrue(exported.isEmpty(), "nothing recorded: " + exported);
    assertTrue(upstream.get("traceparent").startsWith("00-" + CALLER_TRACE + "-"));
    assertTrue(upstream.get("traceparent").endsWith("-00"));
  }
}
