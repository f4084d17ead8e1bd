package gatehouse.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The top-level {@code tracing} section. W3C Trace Context ({@code traceparent}) is always
 * continued or started and forwarded; spans are recorded and exported only when {@code otlp} is
 * set, which it is not by default.
 *
 * @param otlp where spans are exported; empty (the default): no spans, nothing exported
 * @param sampleRatio {@code sample_ratio}, 0 to 1 (default 1): the share of traces the gateway
 *     starts that are recorded; a continued trace follows its caller's sampled flag
 * @param serviceName {@code service_name}, default {@code gatehouse}: the spans' {@code service.name}
 */
public record TracingConfig(Optional<Otlp> otlp, double sampleRatio, String serviceName) {
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;
  public static final String DEFAULT_SERVICE_NAME = "gatehouse";
  /** No {@code tracing} section: trace context only, no spans. */
  public static final TracingConfig OFF = new TracingConfig(Optional.empty(), DEFAULT_SAMPLE_RATIO, DEFAULT_SERVICE_NAME);

  /** {@code tracing.otlp}: an OTLP/HTTP endpoint taking protobuf ({@code http/protobuf}, the only protocol). */
  public record Otlp(URI endpoint) {
    public Otlp {
      Objects.requireNonNull(endpoint, "endpoint");
    }
  }

  public TracingConfig {
    Objects.requireNonNull(otlp, "otlp");
    Objects.requireNonNull(serviceName, "serviceName");
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) throw new IllegalArgumentException("sampleRatio must be within [0, 1] but was " + sampleRatio);
  }
}
