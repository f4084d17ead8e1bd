package gatehouse.config;

import gatehouse.secret.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code sign} (a global default) and {@code upstreams.<name>.sign}: how the gateway proves to a
 * backend that a request came through it. An upstream's own {@code sign} replaces the default.
 *
 * @param mode none, an RFC 9421 signature, or an identity token
 * @param algorithm {@code hmac-sha256} or {@code ed25519} for signatures, {@code EdDSA} or
 *     {@code ES256} for identity tokens; empty with mode none
 * @param keys the first signs; the others stay published in the JWK set during a rotation
 * @param header the identity token's header
 * @param lifetime the identity token's lifetime, at most 60 s
 * @param contentDigestMaxBody {@code content_digest.max_body} ({@code http_signature} only): when
 *     present, request bodies up to this size are buffered and signed as an RFC 9530 {@code
 *     Content-Digest}, and larger ones answer 413; empty: bodies are not covered
 */
public record SignConfig(Mode mode, String algorithm, List<Key> keys, String header, Duration lifetime,
    OptionalLong contentDigestMaxBody) {

  public SignConfig {
    keys = List.copyOf(keys);
  }

  public SignConfig(Mode mode, String algorithm, List<Key> keys, String header, Duration lifetime) {
    this(mode, algorithm, keys, header, lifetime, OptionalLong.empty());
  }

  /** {@code content_digest.max_body} when it is left out. */
  public static final long DEFAULT_DIGEST_MAX_BODY = 1L << 20;
  /** The largest {@code content_digest.max_body}: each such body is held in memory while it is hashed. */
  public static final long LARGEST_DIGEST_MAX_BODY = 16L << 20;

  public enum Mode { NONE, HTTP_SIGNATURE, IDENTITY_TOKEN }

  /**
   * One key: {@code private_key} (a PKCS#8 PEM file) for ed25519, EdDSA and ES256, {@code secret}
   * for hmac-sha256.
   *
   * @param path the config path of this key, for messages ({@code sign.keys[0]})
   */
  public record Key(String id, Optional<Path> privateKey, Optional<Secret> secret, String path) {}

  public static final String DEFAULT_HEADER = "Gatehouse-Identity";

  public static SignConfig none() {
    return new SignConfig(Mode.NONE, "", List.of(), DEFAULT_HEADER, Duration.ofSeconds(30));
  }
}
