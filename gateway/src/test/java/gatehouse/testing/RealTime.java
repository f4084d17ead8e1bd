package gatehouse.testing;

import java.time.Duration;

/**
 * Waiting in real time, for the tests that poll a real process (an identity provider, a backend
 * server) whose clock a test cannot move. Everything else moves a {@link MutableClock} instead.
 */
public final class RealTime {
  private RealTime() {}

  /** Sleeps for {@code d}; an interrupt fails the calling test. */
  public static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
