package gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import gatehouse.authn.AuthFailure;
import gatehouse.authn.ClaimMapping;
import gatehouse.authn.ClaimPath;
import gatehouse.authn.ClientCheck;
import gatehouse.authn.Identity;
import gatehouse.authn.Lifetime;
import gatehouse.authn.NumericDate;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One trusted issuer, compiled from its config: allow-listed algorithms, claim rules and mapping,
 * and its {@link KeySource}. Verification order: size, header (alg, crit, typ), key, signature,
 * then claims, so nothing about the claims is reported for a token whose signature fails.
 */
final class JwtProvider {
  static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
      JWSAlgorithm.EdDSA);

  private final String name;
  private final String issuer;
  private final Set<String> audiences;
  private final Set<JWSAlgorithm> algorithms;
  private final Duration skew;
  private final List<ClaimPath> required;
  private final Optional<String> type;
  private final int maxTokenBytes;
  private final ClaimMapping mapping;
  private final KeySource keys;
  private final Clock clock;
  private final boolean cachesVerifiedTokens;
  private final Set<String> allowedClients;
  private final Optional<Duration> maxLifetime;

  private JwtProvider(JwtProviderConfig c, Set<JWSAlgorithm> algorithms, List<ClaimPath> required, ClaimMapping mapping,
      KeySource keys, Clock clock) {
    this.name = c.name();
    this.issuer = c.issuer();
    this.audiences = Set.copyOf(c.audiences());
    this.algorithms = Set.copyOf(algorithms);
    this.skew = c.clockSkew();
    this.required = List.copyOf(required);
    this.type = c.type().map(JwtProvider::normalizeType);
    this.maxTokenBytes = c.maxTokenBytes();
    this.mapping = mapping;
    this.keys = keys;
    this.cachesVerifiedTokens = c.cache();
    this.allowedClients = Set.copyOf(c.rules().allowedClients());
    this.maxLifetime = c.rules().maxLifetime();
    this.clock = clock;
  }

  /**
   * Checks {@code c} and compiles it.
   *
   * @throws IllegalArgumentException with the config key first, e.g. {@code
   *     auth.jwt[main].algorithms: HS256 needs an HMAC secret ...}
   */
  static JwtProvider compile(JwtProviderConfig c, KeySource keys, Clock clock) {
    String key = "auth.jwt[" + c.name() + "]";
    if (c.name() == null || c.name().isBlank()) throw new IllegalArgumentException("auth.jwt: a provider has no name");
    if (c.issuer() == null || c.issuer().isEmpty()) throw new IllegalArgumentException(key + ".issuer: is required");
    if (c.maxTokenBytes() <= 0) throw new IllegalArgumentException(key + ".max_token_bytes: must be positive, got " + c.maxTokenBytes());
    if (c.clockSkew() == null || c.clockSkew().isNegative()) throw new IllegalArgumentException(key + ".clock_skew: must not be negative");
    Set<JWSAlgorithm> algorithms = algorithms(key, c);
    List<ClaimPath> required = new ArrayList<>();
    for (String claim : c.requiredClaims()) {
      try {
        required.add(ClaimPath.parse(claim));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".required_claims: " + e.getMessage(), e);
      }
    }
    List<String> rolesClaims = c.rolesClaims().isEmpty() ? List.of("role") : c.rolesClaims();
    return new JwtProvider(c, algorithms, required, ClaimMapping.compile(key, rolesClaims), keys, clock);
  }

  /**
   * The allow-list: the configured one, checked, or by default every algorithm the key type can
   * use. A provider holds either an HMAC secret or public keys, never both, so an HMAC algorithm
   * can never be checked against a public key (RFC 8725 section 2.1, the RS256→HS256 confusion).
   */
  private static Set<JWSAlgorithm> algorithms(String key, JwtProviderConfig c) {
    boolean hmac = c.keys() instanceof KeySourceConfig.HmacSecret;
    int secretBytes = hmac ? ((KeySourceConfig.HmacSecret) c.keys()).secret().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8).length : 0;
    Set<JWSAlgorithm> fit = new LinkedHashSet<>();
    if (hmac) {
      // RFC 7518 section 3.2: a key at least as long as the hash output.
      if (secretBytes >= 32) fit.add(JWSAlgorithm.HS256);
      if (secretBytes >= 48) fit.add(JWSAlgorithm.HS384);
      if (secretBytes >= 64) fit.add(JWSAlgorithm.HS512);
    } else {
      fit.addAll(ASYMMETRIC);
    }
    if (c.algorithms().isEmpty()) return fit;
    Set<JWSAlgorithm> out = new LinkedHashSet<>();
    for (String name : new TreeSet<>(c.algorithms())) {
      if (name.equalsIgnoreCase("none")) throw new IllegalArgumentException(key + ".algorithms: 'none' is never accepted");
      JWSAlgorithm alg = JWSAlgorithm.parse(name);
      if (!ASYMMETRIC.contains(alg) && !VerificationKey.HMAC_ALGS.contains(alg)) {
        throw new IllegalArgumentException(key + ".algorithms: unsupported algorithm '" + name
            + "' (supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512)");
      }
      if (hmac && !VerificationKey.HMAC_ALGS.contains(alg)) {
        throw new IllegalArgumentException(key + ".algorithms: " + name + " needs public keys, but this provider has an HMAC secret");
      }
      if (!hmac && VerificationKey.HMAC_ALGS.contains(alg)) {
        throw new IllegalArgumentException(key + ".algorithms: " + name + " needs an HMAC secret, but this provider has public keys"
            + " (key confusion, RFC 8725 section 2.1)");
      }
      if (!fit.contains(alg)) {
        throw new IllegalArgumentException(key + ".algorithms: " + name + " needs a secret of at least "
            + alg.getName().substring(2) + " bits, got " + secretBytes * 8);
      }
      out.add(alg);
    }
    return out;
  }

  String name() {
    return name;
  }

  /** Whether tokens this provider verified may be kept in the verified-token cache. */
  boolean cachesVerifiedTokens() {
    return cachesVerifiedTokens;
  }

  String issuer() {
    return issuer;
  }

  int maxTokenBytes() {
    return maxTokenBytes;
  }

  KeySource keys() {
    return keys;
  }

  /**
   * Verifies {@code t}, whose {@code iss} named this provider. Synchronous unless the token's kid
   * is unknown and the key source may refresh; the future never fails.
   */
  Future<Verdict> verify(ParsedToken t, String fp) {
    if (t.length() > maxTokenBytes) {
      return done(refuse(FailureCodes.TOKEN_TOO_LARGE, fp, t.length() + " bytes, limit " + maxTokenBytes));
    }
    JWSHeader h = t.header();
    JWSAlgorithm alg = h.getAlgorithm();
    if (!algorithms.contains(alg)) {
      return done(refuse(FailureCodes.UNSUPPORTED_ALGORITHM, fp, "alg " + alg + " is not allowed (allowed: " + algorithms + ")"));
    }
    // RFC 7515 section 4.1.11: a recipient must reject a crit it does not understand; we understand none.
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      return done(refuse(FailureCodes.UNSUPPORTED_CRITICAL_HEADER, fp, "crit " + h.getCriticalParams() + " is not understood"));
    }
    if (!h.isBase64URLEncodePayload()) {
      return done(refuse(FailureCodes.UNSUPPORTED_CRITICAL_HEADER, fp, "b64=false (RFC 7797) is not supported"));
    }
    if (type.isPresent()) {
      JOSEObjectType typ = h.getType();
      if (typ == null || !type.get().equals(normalizeType(typ.getType()))) {
        return done(refuse(FailureCodes.WRONG_TYPE, fp, "typ " + (typ == null ? "absent" : "'" + typ.getType() + "'")
            + ", expected '" + type.get() + "'"));
      }
    }
    KeySet set = keys.current();
    if (set == null) return done(new Verdict.Unavailable(keys.dependency()));
    String kid = h.getKeyID();
    KeySet.Selection selection = set.select(kid, alg);
    if (!(selection instanceof KeySet.Selection.UnknownKid)) return done(finish(t, selection, fp));
    return keys.afterMiss(kid, set).map(fresh -> {
      if (fresh == null) return new Verdict.Unavailable(keys.dependency());
      KeySet.Selection again = fresh.select(kid, alg);
      if (again instanceof KeySet.Selection.UnknownKid) return unknownKid(kid, fp);
      return finish(t, again, fp);
    });
  }

  private Verdict unknownKid(String kid, String fp) {
    return refuse(FailureCodes.UNKNOWN_KEY, fp, "no key with kid '" + printable(kid) + "'");
  }

  private Verdict finish(ParsedToken t, KeySet.Selection selection, String fp) {
    if (selection instanceof KeySet.Selection.Mismatch m) return refuse(FailureCodes.KEY_MISMATCH, fp, m.detail());
    if (selection instanceof KeySet.Selection.NoneFits) {
      return refuse(FailureCodes.UNKNOWN_KEY, fp, "no key can verify " + t.header().getAlgorithm());
    }
    if (!(selection instanceof KeySet.Selection.Found found)) throw new AssertionError("unexpected selection " + selection);
    VerificationKey verifiedBy = null;
    List<String> tried = new ArrayList<>();
    for (VerificationKey key : found.keys()) {
      tried.add(key.label());
      try {
        if (key.verifier().verify(t.header(), t.signingInput(), t.signature())) {
          verifiedBy = key;
          break;
        }
      } catch (JOSEException e) {
        tried.add("(" + e.getMessage() + ")");
      }
    }
    if (verifiedBy == null) return refuse(FailureCodes.BAD_SIGNATURE, fp, "signature does not verify with key " + tried);
    return checkClaims(t.claims(), verifiedBy, fp);
  }

  private Verdict checkClaims(Map<String, Object> claims, VerificationKey key, String fp) {
    Instant now = clock.instant();
    Object expValue = claims.get("exp");
    if (expValue == null) return refuse(FailureCodes.MISSING_CLAIM, fp, "exp is required");
    Instant exp = NumericDate.of(expValue);
    if (exp == null) return refuse(FailureCodes.MALFORMED, fp, "exp " + NumericDate.EXPECTED);
    Instant nbf = null;
    Instant iat = null;
    if (claims.get("nbf") != null && (nbf = NumericDate.of(claims.get("nbf"))) == null) {
      return refuse(FailureCodes.MALFORMED, fp, "nbf " + NumericDate.EXPECTED);
    }
    if (claims.get("iat") != null && (iat = NumericDate.of(claims.get("iat"))) == null) {
      return refuse(FailureCodes.MALFORMED, fp, "iat " + NumericDate.EXPECTED);
    }
    // RFC 7519 section 4.1.4: the current time must be before exp; the skew stretches that.
    if (!now.isBefore(exp.plus(skew))) return refuse(FailureCodes.EXPIRED, fp, "exp " + exp + ", now " + now + ", skew " + skew);
    if (nbf != null && now.plus(skew).isBefore(nbf)) {
      return refuse(FailureCodes.NOT_YET_VALID, fp, "nbf " + nbf + ", now " + now + ", skew " + skew);
    }
    if (iat != null && now.plus(skew).isBefore(iat)) {
      return refuse(FailureCodes.NOT_YET_VALID, fp, "iat " + iat + " is in the future, now " + now + ", skew " + skew);
    }
    if (!audiences.isEmpty()) {
      switch (gatehouse.authn.AudienceCheck.of(claims.get("aud"), audiences)) {
        case MATCH -> { }
        case ABSENT -> { return refuse(FailureCodes.WRONG_AUDIENCE, fp, "no aud; expected one of " + audiences); }
        case NO_MATCH -> { return refuse(FailureCodes.WRONG_AUDIENCE, fp, "aud matches none of " + audiences); }
        case MALFORMED -> { return refuse(FailureCodes.MALFORMED, fp, "aud is neither a string nor an array of strings"); }
      }
    }
    String tooLong = maxLifetime.isPresent() ? Lifetime.exceeded(iat, now, exp, maxLifetime.get()) : null;
    if (tooLong != null) return refuse(FailureCodes.LIFETIME_TOO_LONG, fp, tooLong);
    if (!allowedClients.isEmpty()) {
      Object azp = claims.get("azp");
      Object clientId = claims.get("client_id");
      switch (ClientCheck.of(azp, clientId, allowedClients)) {
        case ALLOWED -> { }
        case NOT_ALLOWED -> {
          return refuse(FailureCodes.CLIENT_NOT_ALLOWED, fp, "client '" + printable(ClientCheck.named(azp, clientId))
              + "' is not in allowed_clients " + allowedClients);
        }
        case ABSENT -> { return refuse(FailureCodes.MISSING_CLIENT, fp, "neither azp nor client_id; allowed_clients is set"); }
        case AMBIGUOUS -> {
          return refuse(FailureCodes.AMBIGUOUS_CLIENT, fp, "azp '" + printable((String) azp) + "' and client_id '"
              + printable((String) clientId) + "' name different clients");
        }
        case MALFORMED -> { return refuse(FailureCodes.MALFORMED, fp, "azp or client_id is not a non-empty string"); }
      }
    }
    for (ClaimPath path : required) {
      if (path.resolve(claims).isEmpty()) return refuse(FailureCodes.MISSING_CLAIM, fp, "required claim " + path + " is missing");
    }
    Object sub = claims.get("sub");
    if (sub != null && !(sub instanceof String)) return refuse(FailureCodes.MALFORMED, fp, "sub is not a string");
    Identity identity = new Identity(sub == null ? "" : (String) sub, Scheme.JWT, name,
        mapping.roles(claims), mapping.scopes(claims), VerifiedClaims.of(claims), Optional.of(exp));
    return new Verdict.Accepted(identity, key.thumbprint(), exp);
  }

  /** RFC 7515 section 4.1.9: media types compare case-insensitively and may omit "application/". */
  static String normalizeType(String typ) {
    String t = typ.trim().toLowerCase(Locale.ROOT);
    return t.startsWith("application/") ? t.substring("application/".length()) : t;
  }

  private static String printable(String text) {
    String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    StringBuilder out = new StringBuilder();
    for (char c : shown.toCharArray()) out.append(c < 0x20 || c == 0x7f ? '?' : c);
    return out.toString();
  }

  private Verdict refuse(String code, String fp, String detail) {
    return new Verdict.Refused(new AuthFailure(code, "jwt:" + name + " token " + fp + ": " + detail));
  }

  private static Future<Verdict> done(Verdict v) {
    return Future.succeededFuture(v);
  }
}
