package gatehouse.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/** Reads the top-level {@code tracing} mapping into a {@link TracingConfig}. */
final class TracingReader {
  static final List<String> KEYS = List.of("otlp", "sample_ratio", "service_name");
  static final List<String> OTLP_KEYS = List.of("endpoint", "protocol");
  static final String PROTOCOL = "http/protobuf";

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
    Optional<TracingConfig.Otlp> otlp = f.fields("otlp", OTLP_KEYS).flatMap(this::otlp);
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
