package gatehouse.config;

import com.nimbusds.jose.jwk.JWK;
import gatehouse.secret.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Where a JWT provider's keys come from: exactly one of these keys per provider. */
public sealed interface KeySourceConfig {

  /**
   * The one rule for plain http: keys may be fetched without TLS only from a loopback host
   * (127.0.0.0/8, ::1, localhost). The reader applies it to {@code jwks_uri} and the issuer of
   * {@code discovery}; the key source to the {@code jwks_uri} a discovery document names.
   */
  static boolean loopback(String host) {
    return Syntax.isLoopback(host);
  }

  /** {@code jwks_uri}: a remote JWK set, fetched and refreshed in the background. */
  record JwksUri(URI uri) implements KeySourceConfig {}

  /** {@code discovery: true}: {@code {issuer}/.well-known/openid-configuration} names the JWKS. */
  record Discovery() implements KeySourceConfig {}

  /** {@code jwks_file}: a JWK set on disk (public keys only), read at load; at least one key is usable. */
  record JwksFile(Path path, List<JWK> keys) implements KeySourceConfig {
    public JwksFile {
      keys = List.copyOf(keys);
    }

    /** Reads {@code path}. @throws IllegalArgumentException saying why it holds no usable key */
    public JwksFile(Path path) {
      this(path, KeyFiles.usable(KeyFiles.jwks(path), false));
    }
  }

  /** {@code public_key_pem}: one PEM public key (RSA, EC or Ed25519), read at load. */
  record PublicKeyPem(Path path, JWK key) implements KeySourceConfig {
    /** Reads {@code path}. @throws IllegalArgumentException saying why it holds no usable key */
    public PublicKeyPem(Path path) {
      this(path, KeyFiles.usable(List.of(KeyFiles.publicKey(path)), false).get(0));
    }
  }

  /** {@code secret}: an HMAC secret, normally {@code ${ENV_VAR}}; at least 32 bytes. */
  record HmacSecret(Secret secret) implements KeySourceConfig {}

  /** A JWK set given in memory (the demo's built-in issuer); not reachable from YAML. */
  record InMemory(String jwkSetJson) implements KeySourceConfig {}
}
