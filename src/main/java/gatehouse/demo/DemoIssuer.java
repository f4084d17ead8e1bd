package gatehouse.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The demo's built-in identity provider: an RS256 key made at start-up, its public JWK set, and
 * tokens for the demo's users. A second key plays the attacker's.
 */
public final class DemoIssuer {
  public static final String ISSUER = "https://issuer.demo.gatehouse.local";
  public static final String AUDIENCE = "demo-api";

  private final RSAKey key;
  private final RSAKey rogue;
  private final Clock clock;

  public DemoIssuer(Clock clock) {
    this.clock = clock;
    try {
      this.key = new RSAKeyGenerator(2048).keyID("demo-1").generate();
      this.rogue = new RSAKeyGenerator(2048).keyID("demo-1").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the demo key", e);
    }
  }

  /** The public JWK set the gateway verifies against. */
  public String publicJwks() {
    return new JWKSet(key.toPublicJWK()).toString();
  }

  /** A token for {@code subject} with {@code role}, valid for an hour. */
  public String token(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(key, subject, role, email, now.minusSeconds(5), now.plus(Duration.ofHours(1)));
  }

  /** A token that expired ten minutes ago. */
  public String expiredToken(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(key, subject, role, email, now.minus(Duration.ofHours(1)), now.minus(Duration.ofMinutes(10)));
  }

  /** A well-formed token with the right kid and claims, signed by a key the gateway does not trust. */
  public String forgedToken(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(rogue, subject, role, email, now.minusSeconds(5), now.plus(Duration.ofHours(1)));
  }

  private static String sign(RSAKey with, String subject, String role, String email, Instant issued, Instant expires) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE))
        .subject(subject)
        .claim("role", role)
        .claim("email", email)
        .issueTime(Date.from(issued))
        .notBeforeTime(Date.from(issued))
        .expirationTime(Date.from(expires))
        .build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new RSASSASigner(with));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a demo token", e);
    }
    return jwt.serialize();
  }
}
