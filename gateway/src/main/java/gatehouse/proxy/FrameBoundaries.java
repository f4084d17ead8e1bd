package gatehouse.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * Where the frames of one direction of a WebSocket end (RFC 6455 section 5.2), read from the bytes
 * as they pass, without copying or checking them: a frame's header gives its length, and nothing
 * else is read. Extensions do not change the framing (they use the RSV bits and the payload), so
 * this holds whatever the two ends negotiated. A length whose top bit is set (invalid) never ends.
 * Not thread-safe: one per direction, on its connection's event loop.
 */
final class FrameBoundaries {
  /** Bytes of the current frame's header read so far; 0 between frames and in a payload. */
  private int headerRead;
  private int headerLength;
  /** Header index just past the extended payload length; the masking key, if any, follows it. */
  private int lengthEnd;
  private int opcode;
  private long length;
  private long payloadLeft;
  private int lastOpcode = -1;

  /** Whether the bytes read so far end exactly at the end of a frame (or none were read). */
  boolean atBoundary() {
    return headerRead == 0 && payloadLeft == 0;
  }

  /** The opcode of the last frame that ended; -1 before the first. */
  int lastOpcode() {
    return lastOpcode;
  }

  /**
   * Reads {@code chunk} from index {@code from} on, up to the first frame end: returns the index
   * just past it, or -1 when no frame ends in the rest of the chunk (then all of it was read).
   */
  int next(Buffer chunk, int from) {
    int end = chunk.length();
    int i = from;
    while (i < end) {
      if (payloadLeft > 0) {
        long take = Math.min(payloadLeft, end - i);
        i += (int) take;
        payloadLeft -= take;
        if (payloadLeft == 0) return ended(i);
        continue;
      }
      int b = chunk.getByte(i++) & 0xFF;
      if (headerRead == 0) {
        opcode = b & 0x0F;
        headerLength = 2;
        length = 0;
      } else if (headerRead == 1) {
        int length7 = b & 0x7F;
        lengthEnd = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
        headerLength = lengthEnd + ((b & 0x80) != 0 ? 4 : 0);
        length = lengthEnd == 2 ? length7 : 0;
      } else if (headerRead < lengthEnd) {
        length = (length << 8) | b;
      }
      headerRead++;
      if (headerRead == headerLength) {
        headerRead = 0;
        payloadLeft = length < 0 ? Long.MAX_VALUE : length;
        if (payloadLeft == 0) return ended(i);
      }
    }
    return -1;
  }

  /** Reads all of {@code chunk}. */
  void skip(Buffer chunk) {
    int at = 0;
    while (at >= 0 && at < chunk.length()) at = next(chunk, at);
  }

  private int ended(int at) {
    lastOpcode = opcode;
    return at;
  }
}
