package gatehouse.config;

import java.net.URI;
import java.util.Optional;
import java.util.function.BiFunction;

/** Reads the top-level {@code tracing} mapping into a {@link TracingConfig}. */
final class TracingReader {
  static final String PROTOCOL = "http/protobuf";
  static final Shape.Obj OTLP = Shape.obj("Where spans are exported, over OTLP.",
      Shape.key("endpoint", Shape.text(), "The collector's OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces.").required(),
      Shape.key("protocol", Shape.choice(PROTOCOL), "The only one: http/protobuf."));
  static final Shape.Obj SHAPE = Shape.obj("W3C trace context, and optional OpenTelemetry spans. Off when absent.",
      Shape.key("otlp", OTLP, OTLP.description()),
      Shape.key("sample_ratio", Shape.text("[0-9.]+"), "The share of new traces sampled, 0 to 1. Default 1."),
      Shape.key("service_name", Shape.text("[A-Za-z0-9_.:/-]{1,128}"), "service.name of the spans. Default gatehouse."));

  private final Reader reader;
  private final BiFunction<Node.Scalar, String, Optional<URI>> httpUrl;

  /** @param httpUrl reads an http(s) URL as an upstream's {@code url} is read, reporting what is wrong with it */
  TracingReader(Reader reader, BiFunction<Node.Scalar, String, Optional<URI>> httpUrl) {
    this.reader = reader;
    this.httpUrl = httpUrl;
  }

  /** {@link TracingConfig#OFF} when {@code section} is absent or has problems (reported). */
  TracingConfig read(Optional<Fields> section) {
    if (section.isEmpty()) return TracingConfig.OFF;
    Fields f = section.get();
    Optional<TracingConfig.Otlp> otlp = f.fields("otlp", OTLP).flatMap(this::otlp);
    double ratio = f.scalar("sample_ratio").flatMap(s -> ratio(s, f.pathOf("sample_ratio"))).orElse(TracingConfig.DEFAULT_SAMPLE_RATIO);
    String service = TracingConfig.DEFAULT_SERVICE_NAME;
    Optional<Node.Scalar> name = f.scalar("service_name");
    if (name.isPresent()) {
      if (name.get().text().matches("[A-Za-z0-9_.:/-]{1,128}")) {
        service = name.get().text();
      } else {
        reader.problems.add(name.get(), f.pathOf("service_name"), name.get().shown()
            + " is not a valid service name (1 to 128 letters, digits, '_', '.', ':', '/', '-')");
      }
    }
    return new TracingConfig(otlp, ratio, service);
  }

  private Optional<TracingConfig.Otlp> otlp(Fields f) {
    f.require("endpoint");
    Optional<Node.Scalar> protocol = f.scalar("protocol");
    if (protocol.isPresent() && !protocol.get().text().equals(PROTOCOL)) {
      reader.problems.add(protocol.get(), f.pathOf("protocol"), "expected " + PROTOCOL + " (the only protocol), got " + protocol.get().shown());
    }
    return f.scalar("endpoint").flatMap(s -> httpUrl.apply(s, f.pathOf("endpoint"))).map(TracingConfig.Otlp::new);
  }

  private Optional<Double> ratio(Node.Scalar s, String path) {
    try {
      double d = Double.parseDouble(s.text());
      if (d >= 0 && d <= 1 && s.text().matches("[0-9.]+")) return Optional.of(d);
    } catch (NumberFormatException e) {
      // reported below
    }
    reader.problems.add(s, path, "expected a number from 0 to 1, got " + s.shown());
    return Optional.empty();
  }
}
