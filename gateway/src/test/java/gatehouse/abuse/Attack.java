package gatehouse.abuse;

import java.time.Duration;

/**
 * One kind of abuse, run against a gateway in a child process while canaries measure what other
 * clients get. An attack is bounded: it runs for the duration given, on loopback only, and closes
 * every connection it opened before it returns.
 */
public interface Attack {
  /** A short name, unique in the suite: the report's row. */
  String name();

  /** What one unit of the volume {@link #run} returns is: {@code connections}, {@code requests}, ... */
  String unit();

  /** The descriptor limit the gateway must run under ({@code prlimit --nofile}), or 0 to inherit the test's. */
  default int descriptorLimit() {
    return 0;
  }

  /**
   * Attacks {@code target} for {@code duration}; returns the attack's volume in {@link #unit}s.
   * Runs on the calling thread (and threads it starts and stops); throws only on a bug in the
   * attack itself, never because the gateway refused, reset or closed something.
   */
  long run(Target target, Duration duration) throws Exception;
}
