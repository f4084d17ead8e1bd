package gatehouse.transport;

import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * One descriptor held in reserve (on /dev/null) so that a listener out of descriptors can still
 * take a queued connection off its backlog and close it, as libuv does on EMFILE: the accept that
 * failed is retried at once by the transport, and without a free descriptor it fails again without
 * end. Released on EMFILE, taken back after the connection it let in is closed. Thread-safe.
 */
final class SpareDescriptor {
  private RandomAccessFile spare;
  private boolean draining;

  SpareDescriptor() {
    reopen();
  }

  /** Out of descriptors: gives the spare back, so that the next accept can succeed. */
  synchronized void release() {
    draining = true;
    if (spare == null) return;
    try {
      spare.close();
    } catch (IOException ignored) {
      // closed or not, it is no longer held
    }
    spare = null;
  }

  /** Whether an accepted connection should be closed at once because the spare was given up for it. */
  synchronized boolean draining() {
    return draining;
  }

  /** Takes the spare back; while that fails (descriptors are still short), keeps draining. */
  synchronized void reopen() {
    if (spare != null) return;
    try {
      spare = new RandomAccessFile("/dev/null", "r");
      draining = false;
    } catch (IOException stillShort) {
      draining = true;
    }
  }
}
