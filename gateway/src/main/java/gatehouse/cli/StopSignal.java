package gatehouse.cli;

import gatehouse.observe.Logs;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code SIGTERM} and {@code SIGINT}: the first asks for a graceful stop ({@link #await} returns);
 * a second, of either, exits at once with 128 + its number (143, 130), as the JVM would have at
 * the first. In place of the JVM's own handlers, which would run the shutdown hooks at once and
 * leave no time to drain. One of the classes that touch {@code sun.misc.Signal} (module {@code
 * jdk.unsupported}); HotSpot lets an application handle both unless run with {@code -Xrs}.
 */
final class StopSignal {
  /** How long a second signal's exit may spend flushing logs before the process halts regardless. */
  private static final long HALT_AFTER_MILLIS = 3000;
  private final CountDownLatch first = new CountDownLatch(1);

  private StopSignal() {}

  /** Handles both signals from now on. */
  static StopSignal install() {
    StopSignal s = new StopSignal();
    Signal.handle(new Signal("TERM"), s::received);
    Signal.handle(new Signal("INT"), s::received);
    return s;
  }

  /** Blocks until the first signal. */
  void await() throws InterruptedException {
    first.await();
  }

  /** On a JVM signal thread, which must not wait on the exit it starts. */
  private void received(Signal signal) {
    if (first.getCount() > 0) {
      LoggerFactory.getLogger(StopSignal.class).info("SIG{}: stopping gracefully; send it again to exit at once", signal.getName());
      first.countDown();
      return;
    }
    int status = 128 + signal.getNumber();
    LoggerFactory.getLogger(StopSignal.class).warn("SIG{} again: exiting at once, requests in flight are cut", signal.getName());
    Thread halt = new Thread(() -> {
      try {
        TimeUnit.MILLISECONDS.sleep(HALT_AFTER_MILLIS);
      } catch (InterruptedException ignored) {
        // halting anyway
      }
      Runtime.getRuntime().halt(status);
    }, "gatehouse-halt");
    halt.setDaemon(true);
    halt.start();
    // The shutdown hooks write the access log's waiting lines; the halt above bounds how long they may take.
    new Thread(() -> {
      Logs.flushAndStop();
      System.exit(status);
    }, "gatehouse-exit").start();
  }
}
