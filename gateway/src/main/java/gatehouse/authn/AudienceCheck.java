package gatehouse.authn;

import java.util.List;
import java.util.Set;

/**
 * The {@code aud} rule shared by JWTs (RFC 7519 section 4.1.3) and introspection answers (RFC
 * 7662 section 2.2): a string or an array of strings, at least one of which is accepted.
 */
public enum AudienceCheck {
  /** One presented audience is accepted. */
  MATCH,
  /** Present and well-formed, but none is accepted. */
  NO_MATCH,
  /** No {@code aud} at all. */
  ABSENT,
  /** Neither a string nor an array of strings. */
  MALFORMED;

  /** Checks the parsed JSON value {@code aud} against {@code accepted}. */
  public static AudienceCheck of(Object aud, Set<String> accepted) {
    if (aud == null) return ABSENT;
    List<?> presented;
    if (aud instanceof String s) presented = List.of(s);
    else if (aud instanceof List<?> list) presented = list;
    else return MALFORMED;
    boolean match = false;
    for (Object a : presented) {
      if (!(a instanceof String)) return MALFORMED;
      match |= accepted.contains(a);
    }
    return match ? MATCH : NO_MATCH;
  }
}
