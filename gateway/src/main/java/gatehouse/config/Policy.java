package gatehouse.config;

import java.util.Set;

/**
 * What a route demands of a request before it may reach the upstream. Pure value, built once at
 * config load. A route without a policy gets the configured {@code default_policy}, which itself
 * defaults to {@link Jwt} with no requirements: secure by default.
 */
public sealed interface Policy {

  /** Anyone; no credential is looked for, reserved headers are still stripped. */
  record Public() implements Policy {}

  /**
   * A valid bearer JWT. {@code providers} empty means any configured provider; {@code anyOfRoles}
   * empty means no role is needed; every scope in {@code allOfScopes} must be granted.
   */
  record Jwt(Set<String> providers, Set<String> anyOfRoles, Set<String> allOfScopes) implements Policy {
    public Jwt {
      providers = Set.copyOf(providers);
      anyOfRoles = Set.copyOf(anyOfRoles);
      allOfScopes = Set.copyOf(allOfScopes);
    }

    /** A JWT from any provider, with no role or scope required. */
    public static Jwt any() {
      return new Jwt(Set.of(), Set.of(), Set.of());
    }
  }

  /** A valid API key that holds every scope in {@code allOfScopes}. */
  record ApiKey(Set<String> allOfScopes) implements Policy {
    public ApiKey {
      allOfScopes = Set.copyOf(allOfScopes);
    }
  }

  /**
   * A client certificate from the TLS handshake, chained to {@code listen.tls.client_ca}, with one
   * of {@code subjects} among its names (subject CN, DNS, URI and email SANs); empty admits every
   * certificate the CA vouches for.
   */
  record Mtls(Set<String> subjects) implements Policy {
    public Mtls {
      subjects = Set.copyOf(subjects);
    }
  }

  /**
   * Either credential; each is held to its own requirements. A client certificate counts only when
   * {@code mtls} is present (written {@code any: {mtls: {...}}}), so adding {@code client_ca} to a
   * listener never widens an existing {@code any} route.
   */
  record Any(Jwt jwt, ApiKey apiKey, java.util.Optional<Mtls> mtls) implements Policy {
    public Any(Jwt jwt, ApiKey apiKey) {
      this(jwt, apiKey, java.util.Optional.empty());
    }
  }

  /** The name used in config and logs: {@code public}, {@code jwt}, {@code api_key}, {@code mtls}, {@code any}. */
  default String kind() {
    if (this instanceof Public) return "public";
    if (this instanceof Mtls) return "mtls";
    if (this instanceof Jwt) return "jwt";
    if (this instanceof ApiKey) return "api_key";
    if (this instanceof Any) return "any";
    throw new AssertionError("unknown policy " + this);
  }
}
