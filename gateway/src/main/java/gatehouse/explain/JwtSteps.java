package gatehouse.explain;

import gatehouse.authn.Authentication;
import gatehouse.authn.jwt.JwtAuthenticator;
import gatehouse.authn.jwt.ProviderKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of a JWT's verification, in the order {@code authn.jwt.JwtProvider} takes them, marked
 * from the authenticator's one answer: the step its failure code belongs to failed, those before it
 * passed, those after were not reached. The token's header and claims are decoded here only to show
 * them; every verdict is the authenticator's.
 */
final class JwtSteps {
  /** Verification steps in order. */
  static final List<String> ORDER = List.of("size", "parse", "issuer", "header", "keys", "key", "signature", "claims");

  /** Which step each failure code of {@code authn.jwt.FailureCodes} comes from. */
  static final Map<String, String> STEP_OF = Map.ofEntries(
      Map.entry("token_too_large", "size"),
      Map.entry("malformed", "parse"),
      Map.entry("unsupported_token_type", "parse"),
      Map.entry("unknown_issuer", "issuer"),
      Map.entry("unsupported_algorithm", "header"),
      Map.entry("unsupported_critical_header", "header"),
      Map.entry("wrong_type", "header"),
      Map.entry("unknown_key", "key"),
      Map.entry("key_mismatch", "key"),
      Map.entry("bad_signature", "signature"),
      Map.entry("expired", "claims"),
      Map.entry("not_yet_valid", "claims"),
      Map.entry("wrong_audience", "claims"),
      Map.entry("missing_claim", "claims"),
      Map.entry("lifetime_too_long", "claims"),
      Map.entry("client_not_allowed", "claims"),
      Map.entry("missing_client", "claims"),
      Map.entry("ambiguous_client", "claims"));

  record Result(JsonArray steps, Optional<JsonObject> keys) {}

  private JwtSteps() {}

  /** The steps for {@code token}, or empty when no JWT provider takes it (introspection, say). */
  static Optional<Result> of(String token, Authentication answer, Optional<JwtAuthenticator> jwt, boolean offline) {
    Optional<JsonObject[]> decoded = Explainer.decode(token);
    if (jwt.isEmpty() || decoded.isEmpty()) return Optional.empty();
    JsonObject header = decoded.get()[0];
    JsonObject claims = decoded.get()[1];
    Object iss = claims.getValue("iss");
    Optional<ProviderKeys> provider = iss instanceof String s ? jwt.get().keysFor(s) : Optional.empty();
    if (provider.isEmpty()) return Optional.empty();
    ProviderKeys keys = provider.get();

    String failedStep;
    String failure = "";
    if (answer instanceof Authentication.Authenticated) {
      failedStep = null;
    } else if (answer instanceof Authentication.Rejected r) {
      failedStep = stepOf(r.failure().code(), r.failure().detail());
      failure = r.failure().code() + ": " + r.failure().detail();
    } else if (answer instanceof Authentication.Unverifiable u) {
      failedStep = "keys";
      failure = offline ? "not fetched: --offline" : "no usable key set for " + u.dependency() + keys.lastError().map(e -> ": " + e).orElse("");
    } else {
      throw new AssertionError("unknown authentication " + answer);
    }
    String alg = header.getString("alg", "none");
    String kid = header.getValue("kid") == null ? null : String.valueOf(header.getValue("kid"));
    Map<String, String> passed = Map.of(
        "size", token.length() + " characters",
        "parse", "three segments, header and claims are JSON",
        "issuer", "iss " + iss + " is provider " + keys.provider(),
        "header", "alg " + alg + (header.containsKey("typ") ? ", typ " + header.getValue("typ") : ""),
        "keys", keys.status().source() + ": " + keys.keys().size() + " usable keys",
        "key", kid == null ? "no kid: every key that fits " + alg + " was tried" : "kid " + kid,
        "signature", "verified",
        "claims", claimsSummary(claims));

    JsonArray steps = new JsonArray();
    boolean reached = true;
    for (String step : ORDER) {
      if (!reached) {
        steps.add(Explainer.step(step, "not_reached", ""));
      } else if (step.equals(failedStep)) {
        steps.add(Explainer.step(step, answer instanceof Authentication.Unverifiable ? "unavailable" : "failed", failure));
        reached = false;
      } else {
        steps.add(Explainer.step(step, "passed", passed.get(step)));
      }
    }
    JsonObject keyInfo = new JsonObject().put("provider", keys.provider()).put("issuer", keys.issuer()).put("source", keys.status().source())
        .put("ready", keys.status().ready()).put("keys", new JsonArray(keys.keys()));
    keys.lastError().ifPresent(e -> keyInfo.put("last_error", e));
    if (offline && !keys.status().ready()) keyInfo.put("fetched", false);
    return Optional.of(new Result(steps, Optional.of(keyInfo)));
  }

  /** The step a failure came from; {@code malformed} is a claim's when its detail names one (a date that is not a number, say). */
  static String stepOf(String code, String detail) {
    if (code.equals("malformed")) {
      for (String claim : List.of(": exp ", ": nbf ", ": iat ", ": aud ", ": azp ", ": sub ")) {
        if (detail.contains(claim)) return "claims";
      }
    }
    return STEP_OF.getOrDefault(code, "claims");
  }

  private static String claimsSummary(JsonObject claims) {
    List<String> parts = new ArrayList<>();
    if (claims.containsKey("exp")) parts.add("exp " + Explainer.instant(claims.getValue("exp")));
    if (claims.containsKey("nbf")) parts.add("nbf " + Explainer.instant(claims.getValue("nbf")));
    if (claims.containsKey("aud")) parts.add("aud " + claims.getValue("aud"));
    if (claims.containsKey("sub")) parts.add("sub " + claims.getValue("sub"));
    return String.join(", ", parts);
  }
}
