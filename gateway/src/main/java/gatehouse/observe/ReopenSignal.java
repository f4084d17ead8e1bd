package gatehouse.observe;

import sun.misc.Signal;

/**
 * {@code SIGUSR1} reopens the access-log file, as logrotate's {@code postrotate} expects. The only
 * class that touches {@code sun.misc.Signal} (module {@code jdk.unsupported}); HotSpot leaves
 * {@code SIGUSR1} to the application on Linux (JDK 17 and 25 checked). The JVM holds one handler
 * per signal: installing replaces the one before.
 */
final class ReopenSignal {
  static final String NAME = "USR1";

  private ReopenSignal() {}

  /** Calls {@code reopen} on a JVM signal thread at every {@code SIGUSR1}. */
  static void install(Runnable reopen) {
    Signal.handle(new Signal(NAME), signal -> reopen.run());
  }
}
