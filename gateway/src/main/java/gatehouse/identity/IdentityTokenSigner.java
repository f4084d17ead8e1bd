package gatehouse.identity;

import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.authn.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Mints the identity token: a compact JWS (RFC 7515), EdDSA (RFC 8037) or ES256, signed with the
 * JDK's own algorithms. Claims: {@code iss} = {@code gatehouse}, {@code aud} = the upstream's
 * name, {@code iat}, {@code exp} (at most 60 s later), {@code jti} (128 random bits), {@code sub}
 * when there is an identity, {@code htm} (method) and {@code htt} (target as sent, path and query),
 * and {@code hdr}: every identity header the gateway set, lower-case name to value. Header:
 * {@code alg}, {@code kid}, {@code typ} = {@code gatehouse-identity+jwt}.
 */
final class IdentityTokenSigner implements UpstreamSigner {
  static final String ISSUER = "gatehouse";

  private final SigningKey key;
  private final String audience;
  private final String headerName;
  private final Duration lifetime;
  private final List<String> identityHeaders;
  private final Clock clock;
  private final Supplier<String> ids;
  private final String encodedHeader;

  IdentityTokenSigner(SigningKey key, String audience, String headerName, Duration lifetime, List<String> identityHeaders,
      Clock clock, Supplier<String> ids) {
    this.key = key;
    this.audience = audience;
    this.headerName = headerName;
    this.lifetime = lifetime;
    this.identityHeaders = identityHeaders;
    this.clock = clock;
    this.ids = ids;
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", key.kind.equals("Ed25519") ? "EdDSA" : "ES256");
    header.put("kid", key.id);
    header.put("typ", "gatehouse-identity+jwt");
    this.encodedHeader = b64(JSONObjectUtils.toJSONString(header).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Map<String, String> sign(String method, String authority, String target, Function<String, List<String>> header,
      Optional<Identity> identity, Optional<byte[]> body) {
    long now = clock.instant().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("aud", audience);
    claims.put("iat", now);
    claims.put("exp", now + lifetime.toSeconds());
    claims.put("jti", ids.get());
    identity.ifPresent(i -> claims.put("sub", i.subject()));
    claims.put("htm", method);
    claims.put("htt", target);
    Map<String, Object> hdr = new LinkedHashMap<>();
    for (String name : identityHeaders) {
      String v = HttpMessageSigner.fieldValue(header.apply(name));
      if (!v.isEmpty()) hdr.put(name, v);
    }
    claims.put("hdr", hdr);
    String input = encodedHeader + "." + b64(JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8));
    return Map.of(headerName, input + "." + b64(key.sign(input.getBytes(StandardCharsets.US_ASCII))));
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
