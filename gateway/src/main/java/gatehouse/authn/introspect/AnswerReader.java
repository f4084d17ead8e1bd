package gatehouse.authn.introspect;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.ClaimMapping;
import gatehouse.authn.ClientCheck;
import gatehouse.authn.Identity;
import gatehouse.authn.Lifetime;
import gatehouse.authn.NumericDate;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.TokenRules;
import java.time.Duration;
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
 * present, must be after {@code now}; {@code nbf} and {@code iat}, if present, must not be after
 * {@code now + clock_skew} (as for JWTs); {@code token_type}, if present, must not name a refresh
 * token; {@code iss} must equal the configured issuer, {@code aud} contain a configured audience,
 * the client ({@code azp}, else {@code client_id}) be allowed and the lifetime be within {@code
 * max_token_lifetime}, when those are configured. An answer whose members have the wrong JSON type,
 * or a date that is not a {@link NumericDate}, is {@link Answer.Failed}: the server is not speaking
 * RFC 7662, and the token may well be valid.
 */
final class AnswerReader {
  /** The members honoured as for JWTs, each with the skew. */
  private static final List<String> NOT_BEFORE = List.of("nbf", "iat");

  private final String provider;
  private final Optional<String> issuer;
  private final Set<String> audiences;
  private final ClaimMapping mapping;
  private final Duration skew;
  private final Set<String> allowedClients;
  private final Optional<Duration> maxLifetime;

  AnswerReader(String provider, Optional<String> issuer, List<String> audiences, ClaimMapping mapping, Duration skew,
      TokenRules rules) {
    this.provider = provider;
    this.issuer = issuer;
    this.audiences = Set.copyOf(audiences);
    this.mapping = mapping;
    this.skew = skew;
    this.allowedClients = Set.copyOf(rules.allowedClients());
    this.maxLifetime = rules.maxLifetime();
  }

  Answer judge(Map<String, Object> m, Instant now, String fp) {
    Object active = m.get("active");
    if (!(active instanceof Boolean)) {
      return new Answer.Failed("the answer has no boolean 'active' member (RFC 7662 section 2.2)");
    }
    if (!((Boolean) active)) return inactive(FailureCodes.INACTIVE, fp, "the authorization server says it is not active");

    Optional<Instant> exp = Optional.empty();
    if (m.get("exp") != null) {
      Instant e = NumericDate.of(m.get("exp"));
      if (e == null) return new Answer.Failed("'exp' " + NumericDate.EXPECTED);
      if (!now.isBefore(e)) return inactive(FailureCodes.EXPIRED, fp, "exp " + e + ", now " + now);
      exp = Optional.of(e);
    }
    Instant iat = null;
    for (String member : NOT_BEFORE) {
      if (m.get(member) == null) continue;
      Instant t = NumericDate.of(m.get(member));
      if (t == null) return new Answer.Failed("'" + member + "' " + NumericDate.EXPECTED);
      // RFC 7519 sections 4.1.5 and 4.1.6, with the leeway JWTs get for the two servers' clocks.
      if (now.plus(skew).isBefore(t)) {
        return inactive(FailureCodes.NOT_YET_VALID, fp, member + " " + t + " is in the future, now " + now + ", skew " + skew);
      }
      if (member.equals("iat")) iat = t;
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
    if (!allowedClients.isEmpty()) {
      Object azp = m.get("azp");
      Object clientId = m.get("client_id");
      switch (ClientCheck.of(azp, clientId, allowedClients)) {
        case ALLOWED -> { }
        case NOT_ALLOWED -> {
          return inactive(FailureCodes.CLIENT_NOT_ALLOWED, fp, "client '" + ClientCheck.named(azp, clientId)
              + "' is not in allowed_clients " + allowedClients);
        }
        case ABSENT -> { return inactive(FailureCodes.MISSING_CLIENT, fp, "neither azp nor client_id; allowed_clients is set"); }
        case AMBIGUOUS -> { return inactive(FailureCodes.AMBIGUOUS_CLIENT, fp, "azp and client_id name different clients"); }
        case MALFORMED -> { return new Answer.Failed("'azp' or 'client_id' is not a non-empty string"); }
      }
    }
    if (maxLifetime.isPresent()) {
      if (exp.isEmpty()) return inactive(FailureCodes.LIFETIME_TOO_LONG, fp, "no exp; max_token_lifetime is set");
      String tooLong = Lifetime.exceeded(iat, now, exp.get(), maxLifetime.get());
      if (tooLong != null) return inactive(FailureCodes.LIFETIME_TOO_LONG, fp, tooLong);
    }
    Object sub = m.get("sub");
    if (sub != null && !(sub instanceof String)) return new Answer.Failed("'sub' is not a string");
    Object scope = m.get("scope");
    if (scope != null && !(scope instanceof String)) return new Answer.Failed("'scope' is not a string (RFC 7662: space-separated)");
    Identity identity = new Identity(sub == null ? "" : (String) sub, Scheme.INTROSPECTION, provider,
        mapping.roles(m), mapping.scopes(m), VerifiedClaims.of(m), exp);
    return new Answer.Active(identity, exp);
  }

  private Answer inactive(String code, String fp, String detail) {
    return new Answer.Inactive(new AuthFailure(code, "introspection:" + provider + " token " + fp + ": " + detail));
  }
}
