package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.jwt.ClaimMapping;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges an RFC 7662 answer for one provider. Pure: the time is passed in.
 *
 * <p>Active only when {@code active} is the JSON boolean {@code true}; then {@code exp}, if
 * present, must be after {@code now}; {@code token_type}, if present, must not name a refresh
 * token; {@code iss} must equal the configured issuer and {@code aud} contain a configured
 * audience, when those are configured. An answer whose members have the wrong JSON type is
 * {@link Answer.Failed}: the server is not speaking RFC 7662, and the token may well be valid.
 */
final class AnswerReader {
  private final String provider;
  private final Optional<String> issuer;
  private final Set<String> audiences;
  private final ClaimMapping mapping;

  AnswerReader(String provider, Optional<String> issuer, List<String> audiences, ClaimMapping mapping) {
    this.provider = provider;
    this.issuer = issuer;
    this.audiences = Set.copyOf(audiences);
    this.mapping = mapping;
  }

  Answer judge(Map<String, Object> m, Instant now, String fp) {
    Object active = m.get("active");
    if (!(active instanceof Boolean)) {
      return new Answer.Failed("the answer has no boolean 'active' member (RFC 7662 section 2.2)");
    }
    if (!((Boolean) active)) return inactive(FailureCodes.INACTIVE, fp, "the authorization server says it is not active");

    Optional<Instant> exp = Optional.empty();
    if (m.get("exp") != null) {
      Instant e = numericDate(m.get("exp"));
      if (e == null) return new Answer.Failed("'exp' is not a number");
      if (!now.isBefore(e)) return inactive(FailureCodes.EXPIRED, fp, "exp " + e + ", now " + now);
      exp = Optional.of(e);
    }
    Object type = m.get("token_type");
    if (type != null) {
      if (!(type instanceof String t)) return new Answer.Failed("'token_type' is not a string");
      String normal = t.toLowerCase(Locale.ROOT);
      if (normal.equals("refresh_token") || normal.equals("urn:ietf:params:oauth:token-type:refresh_token")) {
        return inactive(FailureCodes.WRONG_TOKEN_TYPE, fp, "token_type is a refresh token");
      }
    }
    if (issuer.isPresent()) {
      Object iss = m.get("iss");
      if (iss != null && !(iss instanceof String)) return new Answer.Failed("'iss' is not a string");
      if (!issuer.get().equals(iss)) return inactive(FailureCodes.WRONG_ISSUER, fp, iss == null ? "no iss" : "iss is not " + issuer.get());
    }
    if (!audiences.isEmpty()) {
      switch (gatehouse.authn.AudienceCheck.of(m.get("aud"), audiences)) {
        case MATCH -> { }
        case ABSENT -> { return inactive(FailureCodes.WRONG_AUDIENCE, fp, "no aud; expected one of " + audiences); }
        case NO_MATCH -> { return inactive(FailureCodes.WRONG_AUDIENCE, fp, "aud matches none of " + audiences); }
        case MALFORMED -> { return new Answer.Failed("'aud' is neither a string nor an array of strings"); }
      }
    }
    Object sub = m.get("sub");
    if (sub != null && !(sub instanceof String)) return new Answer.Failed("'sub' is not a string");
    Object scope = m.get("scope");
    if (scope != null && !(scope instanceof String)) return new Answer.Failed("'scope' is not a string (RFC 7662: space-separated)");
    Identity identity = new Identity(sub == null ? "" : (String) sub, Scheme.INTROSPECTION, provider,
        mapping.roles(m), mapping.scopes(m), mapping.headers(m), exp);
    return new Answer.Active(identity, exp);
  }

  private Answer inactive(String code, String fp, String detail) {
    return new Answer.Inactive(new AuthFailure(code, "introspection:" + provider + " token " + fp + ": " + detail));
  }

  /** RFC 7519 section 2 NumericDate, as RFC 7662 uses it; null when not a finite number. */
  static Instant numericDate(Object value) {
    final long limit = 100_000_000_000L * 365 * 24 * 3600 / 1000; // far inside Instant's range
    if (value instanceof Long l) return Instant.ofEpochSecond(Math.max(-limit, Math.min(limit, l)));
    if (value instanceof Integer i) return Instant.ofEpochSecond(i);
    if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) return null;
      double clamped = Math.max(-limit, Math.min(limit, d));
      long seconds = (long) Math.floor(clamped);
      return Instant.ofEpochSecond(seconds, (long) ((clamped - seconds) * 1e9));
    }
    return null;
  }
}
