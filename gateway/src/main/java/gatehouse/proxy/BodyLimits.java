package gatehouse.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a client may take to send a request body, and how much of it is read before an
 * upstream connection is taken.
 *
 * @param timeout the whole body must arrive within this, counted from when the request is
 *     forwarded; past it the client gets 408, or its connection is cut if the answer had started
 * @param bufferBytes bodies up to this size are read whole before a pooled connection is taken;
 *     larger ones stream. 0 streams every body
 * @param minRate after {@code grace}, a body must keep up with this many bytes per second on
 *     average since it was forwarded: by time {@code grace + t}, {@code minRate * t} bytes; else as
 *     {@code timeout}. 0 sets no rate
 * @param grace how long a body may take before {@code minRate} applies
 * @param buffers the heap all bodies being read whole may hold together, the process's
 */
public record BodyLimits(Duration timeout, long bufferBytes, long minRate, Duration grace, BufferBudget buffers) {

  /** No minimum rate, no bound on buffered bodies together. */
  public BodyLimits(Duration timeout, long bufferBytes) {
    this(timeout, bufferBytes, 0, Duration.ofSeconds(20), BufferBudget.UNBOUNDED);
  }

  public BodyLimits {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("grace must be positive but was " + grace);
    }
    if (minRate < 0) {
      throw new IllegalArgumentException("minRate must be >= 0 but was " + minRate);
    }
    Objects.requireNonNull(buffers, "buffers");
    if (bufferBytes < 0) {
      throw new IllegalArgumentException("bufferBytes must be >= 0 but was " + bufferBytes);
    }
  }
}
