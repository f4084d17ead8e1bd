package gatehouse.authn.bearer;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * What a bearer token looks like, read without verifying anything: only to choose who verifies it.
 * A token is JWT-shaped when it is three non-empty base64url segments whose first decodes to a
 * JSON object with an {@code alg}. Its {@code iss} is read from the second segment when that is a
 * JSON object with a string {@code iss}. Nothing read here is trusted: the chosen authenticator
 * checks everything again.
 */
sealed interface TokenShape {
  /** Tokens longer than this are not decoded; they are opaque as far as routing goes. */
  int MAX_DECODED = 64 * 1024;

  /** Not a JWS compact serialization. */
  record Opaque() implements TokenShape {}

  /** A JWS compact serialization; {@code issuer} is its unverified {@code iss}, if readable. */
  record Jwt(Optional<String> issuer) implements TokenShape {}

  static TokenShape of(String token) {
    if (token.length() > MAX_DECODED) return new Opaque();
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || second == first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
      return new Opaque();
    }
    Map<String, Object> header = json(token.substring(0, first));
    if (header == null || !(header.get("alg") instanceof String)) return new Opaque();
    Map<String, Object> payload = json(token.substring(first + 1, second));
    Object iss = payload == null ? null : payload.get("iss");
    return new Jwt(iss instanceof String s ? Optional.of(s) : Optional.empty());
  }

  private static Map<String, Object> json(String segment) {
    try {
      return JSONObjectUtils.parse(new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | java.text.ParseException e) {
      return null;
    }
  }
}
