package gatehouse.authz;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.config.Policy;
import java.util.Set;

/** Stage 4: decides whether a verified identity may use a route. Pure functions, no I/O. */
public final class Authorizer {
  private Authorizer() {}

  /**
   * Allow or Deny {@code identity} under {@code policy}. Under {@link Policy.Any} the identity is
   * held to the half of the policy that matches how it was established.
   */
  public static Decision decide(Policy policy, Identity identity) {
    if (policy instanceof Policy.Public) return new Decision.Allow();
    if (policy instanceof Policy.Jwt jwt) return decideJwt(jwt, identity);
    if (policy instanceof Policy.ApiKey key) return decideApiKey(key, identity);
    if (policy instanceof Policy.Mtls mtls) return decideMtls(mtls, identity);
    if (policy instanceof Policy.Any any) {
      if (identity.scheme() == Scheme.MTLS) {
        return any.mtls().isPresent() ? decideMtls(any.mtls().get(), identity)
            : new Decision.Deny("wrong_credential", "this route needs a bearer token or an API key");
      }
      return identity.scheme() == Scheme.API_KEY ? decideApiKey(any.apiKey(), identity) : decideJwt(any.jwt(), identity);
    }
    throw new AssertionError("unknown policy " + policy);
  }

  /** Some name of the certificate (CN or a SAN) must be listed; none listed admits every certificate. */
  private static Decision decideMtls(Policy.Mtls mtls, Identity identity) {
    if (identity.scheme() != Scheme.MTLS) {
      return new Decision.Deny("wrong_credential", "this route needs a client certificate");
    }
    if (!mtls.subjects().isEmpty() && disjoint(mtls.subjects(), identity.certificateNames())) {
      return new Decision.Deny("subject_not_allowed", "this client certificate is not allowed on this route");
    }
    return new Decision.Allow();
  }

  private static Decision decideJwt(Policy.Jwt jwt, Identity identity) {
    if (identity.scheme() == Scheme.API_KEY || identity.scheme() == Scheme.MTLS) {
      return new Decision.Deny("wrong_credential", "this route needs a bearer token");
    }
    if (!jwt.providers().isEmpty() && !jwt.providers().contains(identity.issuer())) {
      return new Decision.Deny("wrong_issuer", "tokens from this issuer are not accepted on this route");
    }
    if (!jwt.anyOfRoles().isEmpty() && disjoint(jwt.anyOfRoles(), identity.roles())) {
      return new Decision.Deny("missing_role", "a role this route needs is missing");
    }
    return requireScopes(jwt.allOfScopes(), identity);
  }

  private static Decision decideApiKey(Policy.ApiKey key, Identity identity) {
    if (identity.scheme() != Scheme.API_KEY) {
      return new Decision.Deny("wrong_credential", "this route needs an API key");
    }
    return requireScopes(key.allOfScopes(), identity);
  }

  private static Decision requireScopes(Set<String> required, Identity identity) {
    return identity.scopes().containsAll(required)
        ? new Decision.Allow()
        : new Decision.Deny("insufficient_scope", "a scope this route needs is missing");
  }

  private static boolean disjoint(Set<String> a, Set<String> b) {
    for (String s : a) if (b.contains(s)) return false;
    return true;
  }
}
