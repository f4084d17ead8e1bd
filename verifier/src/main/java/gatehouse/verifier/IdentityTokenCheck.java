package gatehouse.verifier;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.verifier.Verification.Reason;
import gatehouse.verifier.Verification.Refused;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verification of the gateway's identity token: a compact JWS (RFC 7515) signed with EdDSA
 * (Ed25519, RFC 8037) or ES256, checked with the JDK's own signatures (Nimbus' EdDSA support
 * would need Google Tink). The token binds the request's method and target, the upstream
 * ({@code aud}) and every identity header the gateway set ({@code hdr}); a trusted header that the
 * token does not list must be absent.
 */
final class IdentityTokenCheck implements GatehouseVerifier.Check {
  /** The gateway never mints tokens that live longer than this. */
  static final long MAX_LIFETIME_SECONDS = 60;

  private final Map<String, Object> keys;
  private final List<String> identityHeaders;
  private final Duration window;
  private final Duration skew;
  private final Clock clock;
  private final String header;
  private final String issuer;
  private final String audience;
  private final NonceCache ids = new NonceCache();

  IdentityTokenCheck(Map<String, Object> keys, List<String> identityHeaders, Duration window, Duration skew, Clock clock,
      String header, String issuer, String audience) {
    this.keys = Map.copyOf(keys);
    this.identityHeaders = identityHeaders;
    this.window = window;
    this.skew = skew;
    this.clock = clock;
    this.header = header;
    this.issuer = issuer;
    this.audience = audience;
  }

  @Override
  public Verification verify(IncomingRequest request) {
    List<String> values = request.header(header);
    if (values.isEmpty()) return new Refused(Reason.MISSING, "no " + header + " header");
    if (values.size() > 1) return new Refused(Reason.MALFORMED, "more than one " + header + " header");
    String[] parts = values.get(0).strip().split("\\.", -1);
    if (parts.length != 3) return new Refused(Reason.MALFORMED, "not a compact JWS");
    Map<String, Object> head;
    Map<String, Object> claims;
    byte[] sig;
    try {
      head = JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString());
      claims = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
      sig = new Base64URL(parts[2]).decode();
    } catch (java.text.ParseException | RuntimeException e) {
      return new Refused(Reason.MALFORMED, "the token cannot be parsed");
    }
    if (head.containsKey("crit")) return new Refused(Reason.MALFORMED, "critical header parameters are not supported");
    if (!(head.get("kid") instanceof String kid)) return new Refused(Reason.MALFORMED, "kid is missing");
    Object key = keys.get(kid);
    String alg = String.valueOf(head.get("alg"));
    boolean ed = key instanceof PublicKey pk && Keys.isEd25519(pk) && alg.equals("EdDSA");
    boolean es = key instanceof ECPublicKey && alg.equals("ES256");
    if (!ed && !es) return new Refused(Reason.UNKNOWN_KEY, "no " + alg + " key '" + kid + "'");
    try {
      Signature s = Signature.getInstance(ed ? "Ed25519" : "SHA256withECDSAinP1363Format");
      s.initVerify((PublicKey) key);
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(sig)) return new Refused(Reason.BAD_SIGNATURE, "the token's signature does not match");
    } catch (GeneralSecurityException e) {
      return new Refused(Reason.BAD_SIGNATURE, "the token's signature does not match");
    }

    if (!issuer.equals(claims.get("iss"))) return new Refused(Reason.WRONG_AUDIENCE, "iss is not '" + issuer + "'");
    Object aud = claims.get("aud");
    boolean forUs = audience.equals(aud) || (aud instanceof List<?> l && l.contains(audience));
    if (!forUs) return new Refused(Reason.WRONG_AUDIENCE, "aud does not name '" + audience + "'");
    if (!(claims.get("iat") instanceof Number iatN) || !(claims.get("exp") instanceof Number expN)) {
      return new Refused(Reason.MALFORMED, "iat or exp is missing");
    }
    if (!(claims.get("jti") instanceof String jti) || jti.length() < 16) return new Refused(Reason.MALFORMED, "jti is missing or short");
    long iat = iatN.longValue();
    long exp = expN.longValue();
    long now = clock.instant().getEpochSecond();
    if (exp - iat > MAX_LIFETIME_SECONDS) return new Refused(Reason.MALFORMED, "the token lives longer than 60 s");
    if (now - iat > window.toSeconds() || now >= exp + skew.toSeconds()) return new Refused(Reason.TOO_OLD, "issued " + (now - iat) + " s ago");
    if (iat - now > skew.toSeconds()) return new Refused(Reason.FROM_THE_FUTURE, "issued " + (iat - now) + " s ahead");
    if (!request.method().equals(claims.get("htm")) || !request.target().equals(claims.get("htt"))) {
      return new Refused(Reason.REQUEST_MISMATCH, "the token is for another method or target");
    }
    Map<String, String> signed = new LinkedHashMap<>();
    if (claims.get("hdr") instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof String v)) return new Refused(Reason.MALFORMED, "hdr values must be strings");
        signed.put(String.valueOf(e.getKey()).toLowerCase(java.util.Locale.ROOT), v);
      }
    } else {
      return new Refused(Reason.MALFORMED, "hdr is missing");
    }
    Map<String, String> identity = new LinkedHashMap<>();
    for (String name : identityHeaders) {
      String actual = SignatureBase.fieldValue(request.header(name));
      Optional<Refused> bad = IdentityValues.notVisibleAscii(name, actual);
      if (bad.isPresent()) return bad.get();
      String expected = signed.getOrDefault(name, "");
      if (!actual.equals(expected)) return new Refused(Reason.IDENTITY_MISMATCH, name + " differs from the token");
      if (!actual.isEmpty()) identity.put(name, actual);
    }
    if (!ids.firstUse(kid + " " + jti, exp + skew.toSeconds(), now)) return new Refused(Reason.REPLAYED, "jti already seen");
    Optional<String> sub = claims.get("sub") instanceof String s ? Optional.of(s) : Optional.empty();
    return new Verification.Verified(kid, identity, sub);
  }
}
