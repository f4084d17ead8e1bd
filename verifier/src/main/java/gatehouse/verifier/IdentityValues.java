package gatehouse.verifier;

import gatehouse.verifier.Verification.Reason;
import gatehouse.verifier.Verification.Refused;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The gateway's rule for identity header values, seen from the backend (docs/policies-and-identity.md "Identity
 * headers"): a value is the UTF-8 bytes of the verified string, every byte outside {@code
 * 0x21..0x7E} and {@code %}, {@code +} and {@code ,} written {@code %XX}; an array's elements are
 * encoded so and joined by {@code ,}. So an identity header from the gateway is visible ASCII only.
 */
final class IdentityValues {
  private IdentityValues() {}

  /**
   * A refusal when the combined value of identity header {@code name} holds a character outside
   * {@code 0x21..0x7E}: the gateway never sends one (a space among them, so a header repeated on
   * the way, combined with {@code ", "}, is refused too).
   */
  static Optional<Refused> notVisibleAscii(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return Optional.of(new Refused(Reason.MALFORMED, name + " holds a character outside visible ASCII, which the gateway never sends"));
      }
    }
    return Optional.empty();
  }

  /** See {@link GatehouseVerifier#decodeIdentityValue}. */
  static String decode(String value) {
    int n = value.length();
    ByteBuffer bytes = ByteBuffer.allocate(n);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7E) throw new IllegalArgumentException("character " + (int) c + " at index " + i + " is not visible ASCII");
      if (c != '%') {
        bytes.put((byte) c);
        continue;
      }
      int hi = i + 2 < n ? hex(value.charAt(i + 1)) : -1;
      int lo = i + 2 < n ? hex(value.charAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) throw new IllegalArgumentException("'%' at index " + i + " is not followed by two hex digits");
      bytes.put((byte) (hi << 4 | lo));
      i += 2;
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the escapes are not UTF-8", e);
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
}
