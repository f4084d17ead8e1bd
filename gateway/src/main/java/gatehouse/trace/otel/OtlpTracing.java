package gatehouse.trace.otel;

import gatehouse.config.TracingConfig;
import gatehouse.trace.RequestTrace;
import gatehouse.trace.RequestTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Records spans with the OpenTelemetry SDK and exports them over OTLP/HTTP (protobuf) to
 * {@code tracing.otlp.endpoint}. Spans end on the event loop into the SDK's
 * {@link BatchSpanProcessor}, whose own thread exports them; when the exporter cannot keep up, spans
 * are dropped, never waited for. Sampling: a continued trace follows its caller's sampled flag, a
 * new one is recorded with {@code sample_ratio}. The SDK's own log lines (an export that failed)
 * go to the gateway's log, at most one per kind per 10 s ({@link SdkLog}). Safe on any thread.
 */
public final class OtlpTracing implements RequestTracing {
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  /** How long an ended span may wait before it is exported (the SDK's default is 5 s); a full batch of 512 goes at once. */
  static final Duration EXPORT_DELAY = Duration.ofSeconds(1);

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private OtlpTracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get("gatehouse");
  }

  /** Starts the exporter and its thread; {@link #close} stops them. */
  public static OtlpTracing start(TracingConfig config) {
    TracingConfig.Otlp otlp = config.otlp().orElseThrow(() -> new IllegalArgumentException("tracing.otlp is not set"));
    // Before the SDK logs anything: its lines (a failed export each) go to our log, throttled, not to stderr.
    SdkLog.install();
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(otlp.endpoint().toString()).build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(EXPORT_DELAY).build())
        .build();
    return new OtlpTracing(provider);
  }

  @Override
  public RequestTrace start(MultiMap headers, boolean trustedPeer, String method) {
    return OtlpTrace.start(tracer, headers, trustedPeer, method);
  }

  /** Exports the spans still waiting and stops the exporter; completes when done, without blocking the caller. */
  public CompletionStage<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableResultCode shutdown = provider.shutdown();
    shutdown.whenComplete(() -> done.complete(null));
    return done;
  }
}
