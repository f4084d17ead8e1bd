package gatehouse.authn.jwt;

import java.math.BigInteger;

/**
 * The structural check a JWS ECDSA signature must pass before the JDK sees it. CVE-2022-21449
 * ("psychic signatures"): JDK 15-18 before the April 2022 patches accepted r = s = 0 for any
 * message. Nimbus checks this too; we check here as well so the rule holds whatever JDK or
 * library version runs, and so a test can show it on a patched JDK.
 */
final class EcdsaSignatures {
  private EcdsaSignatures() {}

  /**
   * True when {@code sig} is {@code r || s} of exactly {@code 2 * coordinateBytes} bytes (RFC 7518
   * section 3.4) with both r and s in [1, order - 1].
   */
  static boolean isLegal(byte[] sig, int coordinateBytes, BigInteger order) {
    if (sig.length != 2 * coordinateBytes) return false;
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, coordinateBytes));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, coordinateBytes, sig.length));
    return r.signum() > 0 && s.signum() > 0 && r.compareTo(order) < 0 && s.compareTo(order) < 0;
  }
}
