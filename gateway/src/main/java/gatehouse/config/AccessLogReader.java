package gatehouse.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code access_log}: {@code target} is {@code stderr} or a file path (relative to the
 * config file's directory) that can be written in a directory that exists; {@code flush_interval}
 * is between 1ms and 10s.
 */
final class AccessLogReader {
  static final Duration MAX_FLUSH_INTERVAL = Duration.ofSeconds(10);
  private static final Map<String, AccessLogConfig.Format> FORMATS = new LinkedHashMap<>();

  static {
    FORMATS.put("logfmt", AccessLogConfig.Format.LOGFMT);
    FORMATS.put("json", AccessLogConfig.Format.JSON);
  }

  static final Shape.Obj SHAPE = Shape.obj("The access log: one line per request.",
      Shape.key("target", Shape.text(), "stderr, or a file path (relative to the config file's directory) opened again on SIGUSR1."
          + " Default stderr."),
      Shape.key("format", Shape.choice(FORMATS.keySet()), "Default logfmt."),
      Shape.key("flush_interval", Shape.positiveSpan(), "A line waits at most this long before it is written; 1ms to 10s. Default 1s."));

  private final Reader reader;
  private final Path baseDir;

  AccessLogReader(Reader reader, Path baseDir) {
    this.reader = reader;
    this.baseDir = baseDir;
  }

  AccessLogConfig read(Optional<Fields> section) {
    if (section.isEmpty()) return AccessLogConfig.defaults();
    Fields f = section.get();
    Optional<Path> file = f.scalar("target").flatMap(s -> s.text().equals("stderr") ? Optional.empty() : file(s, f.pathOf("target")));
    AccessLogConfig.Format format = f.choice("format", FORMATS).orElse(AccessLogConfig.Format.LOGFMT);
    Duration interval = f.duration("flush_interval", true).orElse(AccessLogConfig.DEFAULT_FLUSH_INTERVAL);
    f.node("flush_interval").ifPresent(n -> {
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(MAX_FLUSH_INTERVAL) > 0) {
        reader.problems.add(n, f.pathOf("flush_interval"), "must be between 1ms and 10s, got " + Reader.shown(n));
      }
    });
    return new AccessLogConfig(file, format, interval);
  }

  private Optional<Path> file(Node.Scalar s, String path) {
    Path file;
    try {
      file = baseDir.resolve(s.text()).normalize();
    } catch (InvalidPathException e) {
      reader.problems.add(s, path, s.shown() + " is not stderr or a valid file path");
      return Optional.empty();
    }
    if (Files.isDirectory(file)) {
      reader.problems.add(s, path, s.shown() + " is a directory, not a file");
      return Optional.empty();
    }
    if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
      reader.problems.add(s, path, s.shown() + ": the directory does not exist");
      return Optional.empty();
    }
    if (!Files.isWritable(Files.exists(file) ? file : file.getParent())) {
      reader.problems.add(s, path, s.shown() + " is not writable");
      return Optional.empty();
    }
    return Optional.of(file.toAbsolutePath());
  }
}
