package gatehouse.abuse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one attack loop on several threads until a deadline; sums what they count. A thread still
 * blocked 2 s past the deadline (a write the gateway no longer reads) is freed by closing the
 * connections its loop registered.
 */
public final class Workers {
  /** One worker's loop: runs until {@code deadlineNanos}, adding each unit of volume to {@code volume}. */
  public interface Loop {
    void run(long deadlineNanos, AtomicLong volume, Set<AutoCloseable> open) throws Exception;
  }

  private Workers() {}

  public static long run(String name, int threads, long deadlineNanos, Loop loop) throws InterruptedException {
    AtomicLong volume = new AtomicLong();
    Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    List<Thread> started = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        try {
          loop.run(deadlineNanos, volume, open);
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, name + "-" + i);
      t.setDaemon(true);
      t.start();
      started.add(t);
    }
    for (Thread t : started) {
      long left = deadlineNanos + TimeUnit.SECONDS.toNanos(2) - System.nanoTime();
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception ignored) {
        // freeing a blocked writer
      }
    }
    for (Thread t : started) t.join();
    if (!failures.isEmpty()) throw new AssertionError(name + ": the attack itself failed", failures.get(0));
    return volume.get();
  }
}
