package gatehouse.cli;

import sun.misc.Signal;

/**
 * {@code SIGHUP} reloads the config file, as nginx and HAProxy do. Touches {@code sun.misc.Signal}
 * (module {@code jdk.unsupported}) as {@code observe.ReopenSignal} does for {@code SIGUSR1}. HotSpot
 * would otherwise run the shutdown hooks on {@code SIGHUP}; installing replaces that. Not installed
 * with {@code -Xrs}, which leaves the signal to the JVM's default (exit).
 */
final class HangupSignal {
  static final String NAME = "HUP";

  private HangupSignal() {}

  /** Calls {@code reload} on a JVM signal thread at every {@code SIGHUP}. */
  static void install(Runnable reload) {
    Signal.handle(new Signal(NAME), signal -> reload.run());
  }
}
