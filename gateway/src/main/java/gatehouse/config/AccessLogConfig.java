package gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code access_log:}, where and how the one line per request is written.
 *
 * @param file the file lines are appended to, reopened on {@code SIGUSR1}; empty for stderr (the default)
 * @param format {@code logfmt} (the default) or {@code json}, one JSON object per line
 * @param flushInterval lines wait at most this long before they are written (default 1s)
 */
public record AccessLogConfig(Optional<Path> file, Format format, Duration flushInterval) {
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  public enum Format { LOGFMT, JSON }

  /** Stderr, logfmt, flushed every second. */
  public static AccessLogConfig defaults() {
    return new AccessLogConfig(Optional.empty(), Format.LOGFMT, DEFAULT_FLUSH_INTERVAL);
  }
}
