package gatehouse.authn.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import gatehouse.authn.Authentication;
import gatehouse.authn.Identity;
import gatehouse.config.IdentityConfig;
import gatehouse.config.JwtProviderConfig;
import gatehouse.config.KeySourceConfig;
import gatehouse.config.TokenRules;
import gatehouse.secret.Secret;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shared helpers for this package's tests: provider configs with defaults, and assertions on answers. */
final class Jwt {
  private Jwt() {}

  static final IdentityConfig IDENTITY = new IdentityConfig(
      new LinkedHashMap<>(Map.of("sub", "X-User-Id", "role", "X-User-Role", "email", "X-User-Email")),
      List.of("X-User-*"));

  /** A mutable builder over {@link JwtProviderConfig}, defaults as the YAML loader would fill them. */
  static final class Provider {
    String name = "main";
    String issuer = TestTokens.ISSUER;
    List<String> audiences = List.of(TestTokens.AUDIENCE);
    KeySourceConfig keys;
    Set<String> algorithms = Set.of();
    Duration skew = Duration.ofSeconds(60);
    List<String> required = List.of();
    Map<String, String> claims = Map.of();
    List<String> rolesClaims = List.of("role");
    Optional<String> type = Optional.empty();
    int maxTokenBytes = 8192;
    JwtProviderConfig.RemoteKeys remote = JwtProviderConfig.RemoteKeys.defaults();
    boolean cache = true;
    TokenRules rules = TokenRules.none();

    Provider keys(KeySourceConfig k) { keys = k; return this; }
    Provider name(String n) { name = n; return this; }
    Provider issuer(String i) { issuer = i; return this; }
    Provider audiences(String... a) { audiences = List.of(a); return this; }
    Provider algorithms(String... a) { algorithms = Set.of(a); return this; }
    Provider skew(Duration d) { skew = d; return this; }
    Provider required(String... r) { required = List.of(r); return this; }
    Provider claims(Map<String, String> c) { claims = new LinkedHashMap<>(c); return this; }
    Provider rolesClaim(String... r) { rolesClaims = List.of(r); return this; }
    Provider type(String t) { type = Optional.of(t); return this; }
    Provider maxTokenBytes(int m) { maxTokenBytes = m; return this; }
    Provider remote(JwtProviderConfig.RemoteKeys r) { remote = r; return this; }
    Provider cache(boolean c) { cache = c; return this; }
    Provider allowedClients(String... c) { rules = new TokenRules(List.of(c), rules.maxLifetime()); return this; }
    Provider maxLifetime(Duration d) { rules = new TokenRules(rules.allowedClients(), Optional.of(d)); return this; }

    JwtProviderConfig build() {
      return new JwtProviderConfig(name, issuer, audiences, keys, algorithms, skew, required, claims, rolesClaims, type, maxTokenBytes, remote, cache,
          rules);
    }
  }

  static Provider provider() {
    return new Provider();
  }

  /** A provider whose keys are the public JWKs of {@code keys}, given in memory. */
  static Provider jwksProvider(TestKeys.TestKey... keys) {
    return provider().keys(new KeySourceConfig.InMemory(TestKeys.jwks(keys)));
  }

  static Provider hmacProvider(TestKeys.TestKey key) {
    return provider().keys(new KeySourceConfig.HmacSecret(new Secret(key.secret())));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete", e);
    }
  }

  static Authentication authenticate(JwtAuthenticator authenticator, String token) {
    return await(authenticator.authenticate(TestTokens.bearer(token)));
  }

  /** Asserts a rejection with exactly {@code code}, and that the detail never shows the token. */
  static void assertRejected(String code, Authentication answer, String token) {
    Authentication.Rejected rejected = assertInstanceOf(Authentication.Rejected.class, answer, () -> "answer " + answer);
    assertEquals(code, rejected.failure().code(), () -> "detail: " + rejected.failure().detail());
    if (token.length() >= 8) {
      for (String part : token.split("\\.")) {
        if (part.length() >= 8 && rejected.failure().detail().contains(part)) {
          throw new AssertionError("detail shows part of the token: " + rejected.failure().detail());
        }
      }
    }
  }

  static Identity assertAuthenticated(Authentication answer) {
    if (answer instanceof Authentication.Rejected r) throw new AssertionError("rejected: " + r.failure());
    return assertInstanceOf(Authentication.Authenticated.class, answer, () -> "answer " + answer).identity();
  }
}
