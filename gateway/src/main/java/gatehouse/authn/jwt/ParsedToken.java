package gatehouse.authn.jwt;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import gatehouse.authn.AuthFailure;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;

/**
 * A compact JWS split and decoded, but not yet trusted: only {@code iss} may be read from it before
 * the signature is checked (to pick the provider).
 *
 * @param signingInput the ASCII bytes {@code header.payload} the signature covers
 * @param claims the payload as JSON, read by {@link StrictJson}: no duplicate keys, no trailing text
 * @param issuer the {@code iss} claim, or null when absent
 */
record ParsedToken(
    JWSHeader header,
    byte[] signingInput,
    Base64URL signature,
    Map<String, Object> claims,
    String issuer,
    int length) {

  /** The result of {@link #parse}: a token, or why it is not one. */
  sealed interface Result {}

  record Ok(ParsedToken token) implements Result {}

  record Bad(AuthFailure failure) implements Result {}

  /** Parses {@code token}; never throws on any input. {@code fp} only labels failure details. */
  static Result parse(String token, String fp) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    int segments = 1;
    for (int i = 0; i < token.length(); i++) if (token.charAt(i) == '.') segments++;
    if (segments == 5) {
      return bad(FailureCodes.UNSUPPORTED_TOKEN_TYPE, fp, "a JWE (5 segments); only signed JWTs are accepted");
    }
    if (segments != 3) return bad(FailureCodes.MALFORMED, fp, "expected 3 segments, found " + segments);
    String h = token.substring(0, first);
    String p = token.substring(first + 1, second);
    String s = token.substring(second + 1);
    if (!isBase64Url(h) || h.isEmpty()) return bad(FailureCodes.MALFORMED, fp, "header is not base64url");
    if (!isBase64Url(p)) return bad(FailureCodes.MALFORMED, fp, "payload is not base64url");
    if (!isBase64Url(s)) return bad(FailureCodes.MALFORMED, fp, "signature is not base64url");

    Map<String, Object> headerJson = json(h);
    if (headerJson == null) return bad(FailureCodes.MALFORMED, fp, "header is not a UTF-8 JSON object without duplicate keys");
    Object alg = headerJson.get("alg");
    if (!(alg instanceof String algName)) return bad(FailureCodes.MALFORMED, fp, "header has no string alg");
    // RFC 8725 section 3.1: "none" is refused outright, in any spelling, before anything else looks at the token.
    if (algName.equalsIgnoreCase("none")) return bad(FailureCodes.UNSUPPORTED_ALGORITHM, fp, "alg none is never accepted");
    if (headerJson.containsKey("enc")) {
      return bad(FailureCodes.UNSUPPORTED_TOKEN_TYPE, fp, "header has enc: a JWE, only signed JWTs are accepted");
    }
    JWSHeader header;
    try {
      header = JWSHeader.parse(headerJson, new Base64URL(h));
    } catch (ParseException | RuntimeException e) {
      return bad(FailureCodes.MALFORMED, fp, "header is not a JWS header: " + e.getMessage());
    }
    Map<String, Object> claims = json(p);
    if (claims == null) return bad(FailureCodes.MALFORMED, fp, "payload is not a UTF-8 JSON object without duplicate keys");
    Object iss = claims.get("iss");
    if (iss != null && !(iss instanceof String)) return bad(FailureCodes.MALFORMED, fp, "iss is not a string");
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    return new Ok(new ParsedToken(header, signingInput, new CheckedBase64Url(s), claims, (String) iss, token.length()));
  }

  /**
   * Strict base64url (RFC 7515 section 2): alphabet only, no padding, no whitespace, a length a
   * real encoding can have, and the unused low bits of the last character zero (RFC 4648 section
   * 3.5, canonical encoding). Nimbus' decoder skips characters it does not know and ignores those
   * bits, so without this many spellings of one token would verify.
   */
  static boolean isBase64Url(String s) {
    int last = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      last = c < SEXTETS.length ? SEXTETS[c] : -1;
      if (last < 0) return false;
    }
    switch (s.length() % 4) {
      case 1: return false;
      case 2: return (last & 0x0f) == 0;
      case 3: return (last & 0x03) == 0;
      default: return true;
    }
  }

  /** The base64url value of each ASCII character, -1 for those outside the alphabet. */
  private static final byte[] SEXTETS = new byte[128];

  static {
    java.util.Arrays.fill(SEXTETS, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) SEXTETS[alphabet.charAt(i)] = (byte) i;
  }

  /**
   * A segment {@link #isBase64Url} accepted, decoded by the JDK's decoder rather than Nimbus' slower
   * one (bench/NOTES.md). The strict check has already refused everything the two decoders could
   * read differently.
   */
  private static final class CheckedBase64Url extends Base64URL {
    CheckedBase64Url(String checked) {
      super(checked);
    }

    @Override
    public byte[] decode() {
      return decodeChecked(toString());
    }
  }

  /** A segment {@link #isBase64Url} accepted, decoded by the JDK's decoder. */
  private static byte[] decodeChecked(String checked) {
    return java.util.Base64.getUrlDecoder().decode(checked);
  }

  private static Map<String, Object> json(String segment) {
    byte[] bytes;
    try {
      bytes = decodeChecked(segment);
    } catch (IllegalArgumentException e) {
      // isBase64Url has refused everything the decoder refuses; kept so that parse never throws.
      return null;
    }
    return StrictJson.object(bytes);
  }

  private static Bad bad(String code, String fp, String detail) {
    return new Bad(new AuthFailure(code, "token " + fp + ": " + detail));
  }
}
