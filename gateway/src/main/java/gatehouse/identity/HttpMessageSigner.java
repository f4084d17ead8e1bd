package gatehouse.identity;

import gatehouse.authn.Identity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 9421 HTTP message signatures with label and tag {@code gatehouse}. Covered, in this order:
 * {@code "@method" "@authority" "@path" "@query"}, then {@code "content-digest"} when the request
 * has a body and {@code content_digest} is on, then every identity header name the gateway may
 * set, lower case and sorted. Parameters, in this order: {@code created}, {@code keyid}, {@code
 * alg}, {@code nonce}, {@code tag}.
 *
 * <p>A covered identity header the gateway did not set is signed with the empty value (RFC 9421
 * section 2.1 would refuse to sign an absent field): its absence is part of the proof, and one
 * added on the way changes the signature base. The gateway never sends an empty identity header.
 */
final class HttpMessageSigner implements UpstreamSigner {
  private final String keyId;
  private final String alg;
  private final byte[] hmacSecret;
  private final SigningKey ed25519;
  private final List<String> covered;
  private final String coveredList;
  private final String coveredListWithDigest;
  private final OptionalLong digestMaxBody;
  private final Clock clock;
  private final Supplier<String> nonces;

  private HttpMessageSigner(String keyId, String alg, byte[] hmacSecret, SigningKey ed25519, List<String> identityHeaders,
      OptionalLong digestMaxBody, Clock clock, Supplier<String> nonces) {
    this.keyId = keyId;
    this.alg = alg;
    this.hmacSecret = hmacSecret;
    this.ed25519 = ed25519;
    this.covered = identityHeaders;
    this.coveredList = coveredList(identityHeaders, false);
    this.coveredListWithDigest = coveredList(identityHeaders, true);
    this.digestMaxBody = digestMaxBody;
    this.clock = clock;
    this.nonces = nonces;
  }

  static HttpMessageSigner hmac(String keyId, byte[] secret, List<String> identityHeaders, OptionalLong digestMaxBody, Clock clock,
      Supplier<String> nonces) {
    return new HttpMessageSigner(keyId, "hmac-sha256", secret.clone(), null, identityHeaders, digestMaxBody, clock, nonces);
  }

  static HttpMessageSigner ed25519(SigningKey key, List<String> identityHeaders, OptionalLong digestMaxBody, Clock clock,
      Supplier<String> nonces) {
    return new HttpMessageSigner(key.id, "ed25519", null, key, identityHeaders, digestMaxBody, clock, nonces);
  }

  private static String coveredList(List<String> identityHeaders, boolean digest) {
    StringBuilder b = new StringBuilder("(\"@method\" \"@authority\" \"@path\" \"@query\"");
    if (digest) b.append(" \"content-digest\"");
    for (String h : identityHeaders) b.append(" \"").append(h).append('"');
    return b.append(')').toString();
  }

  @Override
  public OptionalLong contentDigestMaxBody() {
    return digestMaxBody;
  }

  @Override
  public Map<String, String> sign(String method, String authority, String target, Function<String, List<String>> header,
      Optional<Identity> identity, Optional<byte[]> body) {
    // The proxy hands over a body only when content_digest is on and the body is not empty.
    Optional<String> digest = digestMaxBody.isPresent() ? body.filter(b -> b.length > 0).map(ContentDigest::sha256) : Optional.empty();
    String params = (digest.isPresent() ? coveredListWithDigest : coveredList) + ";created=" + clock.instant().getEpochSecond() + ";keyid=\"" + keyId + "\";alg=\"" + alg
        + "\";nonce=\"" + nonces.get() + "\";tag=\"gatehouse\"";
    int q = target.indexOf('?');
    StringBuilder base = new StringBuilder(256);
    base.append("\"@method\": ").append(method).append('\n');
    base.append("\"@authority\": ").append(authority).append('\n');
    base.append("\"@path\": ").append(q < 0 ? target : target.substring(0, q)).append('\n');
    base.append("\"@query\": ").append(q < 0 ? "?" : target.substring(q)).append('\n');
    digest.ifPresent(d -> base.append("\"content-digest\": ").append(d).append('\n'));
    for (String name : covered) {
      base.append('"').append(name).append("\": ").append(fieldValue(header.apply(name))).append('\n');
    }
    base.append("\"@signature-params\": ").append(params);
    byte[] bytes = base.toString().getBytes(StandardCharsets.UTF_8);
    String signature = "gatehouse=:" + Base64.getEncoder().encodeToString(sign(bytes)) + ":";
    return digest.isPresent()
        ? Map.of("Content-Digest", digest.get(), "Signature-Input", "gatehouse=" + params, "Signature", signature)
        : Map.of("Signature-Input", "gatehouse=" + params, "Signature", signature);
  }

  private byte[] sign(byte[] base) {
    if (hmacSecret == null) return ed25519.sign(base);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(hmacSecret, "HmacSHA256"));
      return mac.doFinal(base);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with a key that passed its load-time check failed", e);
    }
  }

  /** RFC 9421 section 2.1: each field line trimmed, joined by {@code ", "}; absent is empty here. */
  static String fieldValue(List<String> lines) {
    if (lines.isEmpty()) return "";
    if (lines.size() == 1) return lines.get(0).strip();
    StringBuilder b = new StringBuilder();
    for (String line : lines) {
      if (b.length() > 0) b.append(", ");
      b.append(line.strip());
    }
    return b.toString();
  }
}
