package gatehouse.trace;

import java.util.Optional;

/**
 * A {@code traceparent} header read as W3C Trace Context (section 3.2) says: version {@code 00} is
 * exactly {@code 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>}, lowercase hex only, and
 * neither id all zeros. A higher version (not {@code ff}) is read as far as version 00 goes,
 * provided the next character, if any, is {@code -} (section 3.2.4, "versioning"). Anything else
 * is invalid, and the trace is started afresh.
 *
 * @param traceId 32 lowercase hex digits, not all zeros
 * @param parentId 16 lowercase hex digits, not all zeros
 * @param flags the trace-flags byte as received; only {@link #SAMPLED} is forwarded
 */
public record TraceParent(String traceId, String parentId, int flags) {
  /** The header's name, as HTTP/2 sends it. */
  public static final String HEADER = "traceparent";
  /** The one flag version 00 defines. */
  public static final int SAMPLED = 0x01;
  /** Length of a version 00 header. */
  static final int LENGTH = 55;

  public TraceParent {
    if (!isId(traceId, 32) || !isId(parentId, 16)) throw new IllegalArgumentException("not a valid trace-id and parent-id");
    if (flags < 0 || flags > 0xff) throw new IllegalArgumentException("flags must be one byte but was " + flags);
  }

  /** {@code value} read as a traceparent, or empty when it is not a valid one. */
  public static Optional<TraceParent> parse(String value) {
    if (value == null || value.length() < LENGTH) return Optional.empty();
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return Optional.empty();
    }
    // Version 00 is exactly 55 characters; a later version may append fields after a '-'.
    if (version == 0 ? value.length() != LENGTH : value.length() > LENGTH && value.charAt(LENGTH) != '-') return Optional.empty();
    String traceId = value.substring(3, 35);
    String parentId = value.substring(36, 52);
    int flags = hexByte(value, 53);
    if (flags < 0 || !isId(traceId, 32) || !isId(parentId, 16)) return Optional.empty();
    return Optional.of(new TraceParent(traceId, parentId, flags));
  }

  /** Whether the caller may have recorded this trace. */
  public boolean sampled() {
    return (flags & SAMPLED) != 0;
  }

  /** This traceparent as version 00 writes it, with the flags version 00 does not define cleared. */
  public String header() {
    return format(traceId, parentId, sampled());
  }

  /** A version 00 traceparent; the caller passes ids that are valid. */
  static String format(String traceId, String spanId, boolean sampled) {
    return new StringBuilder(LENGTH).append("00-").append(traceId).append('-').append(spanId).append(sampled ? "-01" : "-00").toString();
  }

  /** Whether {@code s} is {@code length} lowercase hex digits, not all zeros. */
  static boolean isId(String s, int length) {
    if (s == null || s.length() != length) return false;
    boolean nonZero = false;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
      nonZero |= c != '0';
    }
    return nonZero;
  }

  /** The byte the two lowercase hex digits at {@code at} spell, or -1 when they are not two such digits. */
  private static int hexByte(String s, int at) {
    int high = digit(s.charAt(at));
    int low = digit(s.charAt(at + 1));
    return high < 0 || low < 0 ? -1 : high << 4 | low;
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
}
