package gatehouse.config;

import gatehouse.secret.Secret;
import java.net.URI;
import java.nio.file.Path;

/** Where a JWT provider's keys come from: exactly one of these keys per provider. */
public sealed interface KeySourceConfig {

  /** {@code jwks_uri}: a remote JWK set, fetched and refreshed in the background. */
  record JwksUri(URI uri) implements KeySourceConfig {}

  /** {@code discovery: true}: {@code {issuer}/.well-known/openid-configuration} names the JWKS. */
  record Discovery() implements KeySourceConfig {}

  /** {@code jwks_file}: a JWK set on disk (public keys only). */
  record JwksFile(Path path) implements KeySourceConfig {}

  /** {@code public_key_pem}: one PEM public key (RSA, EC or Ed25519). */
  record PublicKeyPem(Path path) implements KeySourceConfig {}

  /** {@code secret}: an HMAC secret, normally {@code ${ENV_VAR}}; at least 32 bytes. */
  record HmacSecret(Secret secret) implements KeySourceConfig {}

  /** A JWK set given in memory (the demo's built-in issuer); not reachable from YAML. */
  record InMemory(String jwkSetJson) implements KeySourceConfig {}
}
