package gatehouse.config;

import java.time.Duration;
import java.util.Optional;

/** The config file's duration syntax ({@code 500ms}, {@code 30s}, {@code 24h}, {@code 90d}) for the CLI and the admin API. */
public final class Durations {
  /** How the accepted forms are described in messages. */
  public static final String FORMS = Syntax.DURATION_FORMS;

  private Durations() {}

  /** {@code text} as a duration, or empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    return Syntax.duration(text);
  }
}
