package gatehouse.authn.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import gatehouse.config.KeySourceConfig;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * The local key sources as a JWK set. Key files were read and checked by the config reader; the
 * in-memory set (the demo's issuer) is parsed here.
 */
final class LocalKeys {
  private LocalKeys() {}

  static JWKSet load(String provider, KeySourceConfig source) {
    if (source instanceof KeySourceConfig.JwksFile f) return new JWKSet(f.keys());
    if (source instanceof KeySourceConfig.PublicKeyPem p) return new JWKSet(p.key());
    if (source instanceof KeySourceConfig.InMemory m) {
      try {
        return JWKSet.parse(m.jwkSetJson());
      } catch (ParseException e) {
        throw new IllegalArgumentException("auth.jwt[" + provider + "] (in-memory JWKS): not a JWK set: " + e.getMessage(), e);
      }
    }
    if (source instanceof KeySourceConfig.HmacSecret s) {
      return new JWKSet(new OctetSequenceKey.Builder(s.secret().reveal().getBytes(StandardCharsets.UTF_8)).build());
    }
    throw new AssertionError("not a local key source: " + source.getClass().getSimpleName());
  }
}
