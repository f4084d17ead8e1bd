package gatehouse.trace;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code tracestate} checked as W3C Trace Context section 3.3 says: a comma-separated list of at
 * most 32 {@code key=value} members with unique keys, blank members allowed; several header lines
 * are one list, joined by commas (RFC 9110 section 5.3). The gateway adds no member of its own: a
 * valid list is forwarded as received, an invalid one is dropped whole (section 3.3.1.1: a list it
 * cannot parse is not propagated).
 */
public final class TraceState {
  /** The header's name, as HTTP/2 sends it. */
  public static final String HEADER = "tracestate";
  static final int MAX_MEMBERS = 32;
  /** The list the gateway forwards at most; a longer one is dropped (section 3.3.1.5 asks for at least 512). */
  static final int MAX_LENGTH = 8192;

  private static final Pattern KEY = Pattern.compile(
      "[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13}");
  private static final Pattern VALUE = Pattern.compile("[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");

  private TraceState() {}

  /** The {@code tracestate} header lines {@code values} as one list to forward, or empty when there is none or it is invalid. */
  public static Optional<String> parse(List<String> values) {
    if (values.isEmpty()) return Optional.empty();
    String list = values.size() == 1 ? values.get(0) : String.join(",", values);
    if (list.length() > MAX_LENGTH) return Optional.empty();
    Set<String> keys = new HashSet<>();
    int members = 0;
    for (String member : list.split(",", -1)) {
      String m = member.strip();
      if (m.isEmpty()) continue;
      int eq = m.indexOf('=');
      if (eq < 0 || ++members > MAX_MEMBERS) return Optional.empty();
      String key = m.substring(0, eq);
      if (!KEY.matcher(key).matches() || !VALUE.matcher(m.substring(eq + 1)).matches() || !keys.add(key)) return Optional.empty();
    }
    return members == 0 ? Optional.empty() : Optional.of(list);
  }
}
