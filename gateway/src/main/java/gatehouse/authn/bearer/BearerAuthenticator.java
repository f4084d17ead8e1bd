package gatehouse.authn.bearer;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.credential.Credential;
import gatehouse.secret.SecretHash;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The authenticator of bearer tokens: policy {@code jwt} means "a bearer token", which is a JWT
 * verified locally or a token the authorization server says is active. Each token goes to exactly
 * one authenticator, chosen before anything is verified, by this rule:
 *
 * <ol>
 *   <li>No introspection provider: every token goes to local JWT verification.
 *   <li>A JWT-shaped token whose unverified {@code iss} is an introspection provider's {@code
 *       issuer}: introspected by that provider.
 *   <li>A JWT-shaped token whose {@code iss} is a JWT provider's issuer: verified locally.
 *   <li>Any other JWT-shaped token (its {@code iss} claimed by no provider, or absent): when no
 *       JWT provider is configured and the first introspection provider names no {@code issuer}
 *       (it then vouches for tokens of any issuer), introspected by it. Otherwise it is no
 *       provider's token: with an {@code iss}, {@code Rejected} with {@code unknown_issuer}
 *       without asking anyone; without one, verified locally when JWT providers exist (which
 *       refuses it the same way), else {@code unknown_issuer} as well.
 *   <li>Opaque tokens: introspected by the first introspection provider.
 * </ol>
 *
 * <p>So a JWT-shaped token reaches an authorization server only when that server is its issuer's
 * authority, or the only authority there is: a forged or foreign JWT never makes the gateway ask
 * an authorization server about someone else's token (which answered 503 when the server refused
 * such tokens). An issuer has one authority (the config loader refuses an issuer claimed twice),
 * so rules 2 and 3 never compete. The choice is made from the token alone, never from an answer:
 * a JWT that fails local verification is rejected, never tried again by introspection as if it
 * were opaque.
 */
public final class BearerAuthenticator implements Authenticator {

  /** An introspection provider as the router sees it: its name, its issuer if any, its authenticator. */
  public record Introspector(String name, Optional<String> issuer, Authenticator authenticator) {}

  /** Which authenticator gets one token: a value, so tests can check the rule without any I/O. */
  sealed interface Route {
    record Local() implements Route {}

    record Introspect(Introspector by) implements Route {}

    record NoneConfigured() implements Route {}

    /** A JWT of an issuer no provider claims: refused without asking anyone. */
    record UnknownIssuer() implements Route {}
  }

  private final Optional<Authenticator> jwt;
  private final Set<String> jwtIssuers;
  private final List<Introspector> introspectors;
  private final Map<String, Introspector> byIssuer;
  /** Rule 4: the first introspection provider takes JWTs of any issuer (no JWT provider, no issuer of its own). */
  private final boolean catchAll;
  /**
   * Routes already decided, by the token's SHA-256: the route depends on the token alone, and
   * deciding it means decoding two JSON segments, which a reused token need not pay again.
   */
  private final com.github.benmanes.caffeine.cache.Cache<SecretHash, Route> routes =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
          // Maintenance (eviction) on the calling event loop, as the other caches do, rather than
          // waking a common-pool thread for every burst of new tokens.
          .executor(Runnable::run).build();

  private BearerAuthenticator(Optional<Authenticator> jwt, Set<String> jwtIssuers, List<Introspector> introspectors) {
    this.jwt = jwt;
    this.jwtIssuers = Set.copyOf(jwtIssuers);
    this.introspectors = List.copyOf(introspectors);
    Map<String, Introspector> issuers = new HashMap<>();
    for (Introspector i : introspectors) {
      i.issuer().ifPresent(iss -> {
        if (jwtIssuers.contains(iss) || issuers.put(iss, i) != null) {
          throw new IllegalArgumentException("issuer '" + iss + "' has two authorities; a token's iss must name one");
        }
      });
    }
    this.byIssuer = Map.copyOf(issuers);
    this.catchAll = jwt.isEmpty() && !introspectors.isEmpty() && introspectors.get(0).issuer().isEmpty();
  }

  /**
   * The bearer authenticator for these parts, or empty when there is none at all (bearer tokens
   * are then refused as {@code not_accepted} by the pipeline).
   *
   * @param jwt local JWT verification, if any provider is configured
   * @param jwtIssuers the issuers {@code jwt} verifies
   * @param introspectors in config order; the first takes opaque tokens
   * @throws IllegalArgumentException when one issuer is claimed twice
   */
  public static Optional<Authenticator> of(Optional<Authenticator> jwt, Set<String> jwtIssuers, List<Introspector> introspectors) {
    if (introspectors.isEmpty()) return jwt;
    return Optional.of(new BearerAuthenticator(jwt, jwtIssuers, new ArrayList<>(introspectors)));
  }

  /** The rule in the class comment, for one token. Pure. */
  Route route(String token) {
    if (introspectors.isEmpty()) return jwt.isPresent() ? new Route.Local() : new Route.NoneConfigured();
    TokenShape shape = TokenShape.of(token);
    if (!(shape instanceof TokenShape.Jwt j)) return new Route.Introspect(introspectors.get(0));
    if (j.issuer().isPresent()) {
      Introspector by = byIssuer.get(j.issuer().get());
      if (by != null) return new Route.Introspect(by);
      if (jwt.isPresent() && jwtIssuers.contains(j.issuer().get())) return new Route.Local();
    }
    if (catchAll) return new Route.Introspect(introspectors.get(0));
    if (j.issuer().isEmpty() && jwt.isPresent()) return new Route.Local();
    return new Route.UnknownIssuer();
  }

  /** Sends a bearer token to the one authenticator {@link #route} chooses. Same contract as {@link Authenticator}. */
  @Override
  public Future<Authentication> authenticate(Credential credential) {
    if (!(credential instanceof Credential.BearerToken bearer)) {
      return AuthFailure.unsupported("bearer", credential);
    }
    Route route = routes.get(bearer.secret().hash(), k -> route(bearer.secret().reveal()));
    if (route instanceof Route.Local) return jwt.orElseThrow().authenticate(credential);
    if (route instanceof Route.Introspect i) return i.by().authenticator().authenticate(credential);
    if (route instanceof Route.UnknownIssuer) {
      return Future.succeededFuture(new Authentication.Rejected(new AuthFailure(AuthFailure.UNKNOWN_ISSUER,
          "token " + bearer.secret().fingerprint() + ": a JWT whose iss no provider claims")));
    }
    if (route instanceof Route.NoneConfigured) {
      return Future.succeededFuture(new Authentication.Rejected(new AuthFailure("not_accepted", "no bearer authenticator is configured")));
    }
    throw new AssertionError("unknown route " + route);
  }
}
