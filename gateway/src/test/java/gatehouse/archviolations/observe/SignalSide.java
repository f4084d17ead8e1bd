package gatehouse.archviolations.observe;

/** Handles a signal outside the one class allowed to. */
public class SignalSide {
  static void handle() {
    sun.misc.Signal.handle(new sun.misc.Signal("USR2"), signal -> { });
  }
}
