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
 */
public record BodyLimits(Duration timeout, long bufferBytes) {

  public BodyLimits {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
    if (bufferBytes < 0) {
      throw new IllegalArgumentException("bufferBytes must be >= 0 but was " + bufferBytes);
    }
  }
}
