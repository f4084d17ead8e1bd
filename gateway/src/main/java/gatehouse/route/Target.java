package gatehouse.route;

/** The result of parsing a raw request target: {@link TargetParser#parse}. */
public sealed interface Target {

  /** The target can be read one way only. */
  record Parsed(RequestTarget target) implements Target {}

  /**
   * The target could be read differently by the gateway and the upstream (encoded slash, NUL,
   * dot segment that appears after decoding, ...): refused with 400 and {@code code}.
   */
  record Ambiguous(String code, String reason) implements Target {}
}
