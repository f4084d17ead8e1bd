package gatehouse.config;

import java.time.Duration;
import java.util.Optional;

/** Reads the top-level {@code shutdown} mapping into a {@link ShutdownConfig}. */
final class ShutdownReader {
  /** Past this a stop is indistinguishable from a hang, and orchestrators kill long before. */
  static final Duration MAX = Duration.ofHours(1);
  static final Shape.Obj SHAPE = Shape.obj("How the gateway stops on SIGTERM: keep accepting for delay, then drain for at most timeout.",
      Shape.key("delay", Shape.span(), "How long the listener keeps accepting after SIGTERM, /ready answering 503; at most 1h. Default 0s."),
      Shape.key("timeout", Shape.positiveSpan(), "How long requests in flight may take to finish after that; at most 1h. Default 20s."));

  private ShutdownReader() {}

  /** The defaults when {@code section} is absent; problems are reported, the defaults stand in for them. */
  static ShutdownConfig read(Optional<Fields> section) {
    if (section.isEmpty()) return ShutdownConfig.DEFAULTS;
    Fields f = section.get();
    Duration delay = bounded(f, "delay", false).orElse(ShutdownConfig.DEFAULT_DELAY);
    Duration timeout = bounded(f, "timeout", true).orElse(ShutdownConfig.DEFAULT_TIMEOUT);
    return new ShutdownConfig(delay, timeout);
  }

  private static Optional<Duration> bounded(Fields f, String key, boolean positive) {
    Optional<Duration> d = f.duration(key, positive);
    if (d.isPresent() && d.get().compareTo(MAX) > 0) {
      f.reader.problems.add(f.node(key).orElseThrow(), f.pathOf(key), "must be at most 1h");
      return Optional.empty();
    }
    return d;
  }
}
