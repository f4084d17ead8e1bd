package gatehouse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads the top-level {@code tracing} mapping into a {@link TracingConfig}. */
final class TracingReader {
  static final List<String> KEYS = List.of("otlp", "sample_ratio", "service_name");
  static final List<String> OTLP_KEYS = List.of("endpoint", "protocol");
  static final String PROTOCOL = "http/protobuf";

  private final Reader reader;

  TracingReader(Reader reader) {
    this.reader = reader;
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
    return f.scalar("endpoint").flatMap(s -> endpoint(s, f.pathOf("endpoint"))).map(TracingConfig.Otlp::new);
  }

  /** An http(s) URL with a host, without user info or fragment: the full OTLP/HTTP traces URL. */
  private Optional<URI> endpoint(Node.Scalar s, String path) {
    URI uri;
    try {
      uri = new URI(s.text());
    } catch (URISyntaxException e) {
      reader.problems.add(s, path, s.shown() + " is not a valid URL");
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      reader.problems.add(s, path, s.shown() + " must be an http:// or https:// URL with a host (e.g. http://127.0.0.1:4318/v1/traces)");
    } else if (uri.getRawUserInfo() != null) {
      reader.problems.add(s, path, "must not contain user info (credentials in a URL end up in logs)");
    } else if (uri.getRawFragment() != null || uri.getRawQuery() != null) {
      reader.problems.add(s, path, s.shown() + " must not have a query or a fragment");
    } else {
      return Optional.of(uri);
    }
    return Optional.empty();
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
