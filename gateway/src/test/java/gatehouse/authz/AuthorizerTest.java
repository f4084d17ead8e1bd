package gatehouse.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.Policy;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthorizerTest {
  private static Identity jwt(String issuer, Set<String> roles, Set<String> scopes) {
    return new Identity("alice", Scheme.JWT, issuer, roles, scopes, VerifiedClaims.NONE, Optional.empty());
  }

  private static Identity key(Set<String> scopes) {
    return new Identity("acme", Scheme.API_KEY, "keys", Set.of(), scopes, VerifiedClaims.NONE, Optional.empty());
  }

  private static Identity cert(String... names) {
    return new Identity(names[0], Scheme.MTLS, "mtls", Set.of(), Set.of(), VerifiedClaims.NONE, Optional.empty(), Set.of(names));
  }

  static Stream<Arguments> matrix() {
    Policy.Jwt admins = new Policy.Jwt(Set.of(), Set.of("admin", "ops"), Set.of());
    Policy.Jwt mainOnly = new Policy.Jwt(Set.of("main"), Set.of(), Set.of());
    Policy.Jwt writeScope = new Policy.Jwt(Set.of(), Set.of(), Set.of("orders:write"));
    Policy.ApiKey readWrite = new Policy.ApiKey(Set.of("orders:read", "orders:write"));
    Policy.Any any = new Policy.Any(admins, readWrite);
    return Stream.of(
        Arguments.of(new Policy.Public(), jwt("main", Set.of(), Set.of()), "allow"),
        Arguments.of(Policy.Jwt.any(), jwt("main", Set.of(), Set.of()), "allow"),
        Arguments.of(Policy.Jwt.any(), key(Set.of()), "wrong_credential"),
        Arguments.of(admins, jwt("main", Set.of("ops"), Set.of()), "allow"),
        Arguments.of(admins, jwt("main", Set.of("user"), Set.of()), "missing_role"),
        Arguments.of(admins, jwt("main", Set.of(), Set.of()), "missing_role"),
        Arguments.of(mainOnly, jwt("main", Set.of(), Set.of()), "allow"),
        Arguments.of(mainOnly, jwt("partner", Set.of(), Set.of()), "wrong_issuer"),
        Arguments.of(writeScope, jwt("main", Set.of(), Set.of("orders:write", "x")), "allow"),
        Arguments.of(writeScope, jwt("main", Set.of(), Set.of("orders:read")), "insufficient_scope"),
        Arguments.of(readWrite, key(Set.of("orders:read", "orders:write")), "allow"),
        Arguments.of(readWrite, key(Set.of("orders:read")), "insufficient_scope"),
        Arguments.of(readWrite, jwt("main", Set.of(), Set.of("orders:read", "orders:write")), "wrong_credential"),
        Arguments.of(any, key(Set.of("orders:read", "orders:write")), "allow"),
        Arguments.of(any, key(Set.of()), "insufficient_scope"),
        Arguments.of(any, jwt("main", Set.of("admin"), Set.of()), "allow"),
        Arguments.of(any, jwt("main", Set.of("user"), Set.of("orders:read", "orders:write")), "missing_role"),
        Arguments.of(any, cert("orders-client"), "wrong_credential"),
        Arguments.of(new Policy.Mtls(Set.of()), cert("anyone"), "allow"),
        Arguments.of(new Policy.Mtls(Set.of("spiffe://t/orders")), cert("orders-client", "spiffe://t/orders"), "allow"),
        Arguments.of(new Policy.Mtls(Set.of("spiffe://t/orders")), cert("billing", "spiffe://t/billing"), "subject_not_allowed"),
        Arguments.of(new Policy.Mtls(Set.of()), jwt("main", Set.of("admin"), Set.of()), "wrong_credential"),
        Arguments.of(new Policy.Mtls(Set.of()), key(Set.of()), "wrong_credential"),
        Arguments.of(Policy.Jwt.any(), cert("orders-client"), "wrong_credential"),
        Arguments.of(readWrite, cert("orders-client"), "wrong_credential"),
        Arguments.of(new Policy.Any(admins, readWrite, Optional.of(new Policy.Mtls(Set.of("orders-client")))), cert("orders-client"), "allow"),
        Arguments.of(new Policy.Any(admins, readWrite, Optional.of(new Policy.Mtls(Set.of("orders-client")))), cert("billing"), "subject_not_allowed"),
        Arguments.of(new Policy.Any(admins, readWrite, Optional.of(new Policy.Mtls(Set.of()))), jwt("main", Set.of("admin"), Set.of()), "allow"));
  }

  @ParameterizedTest(name = "{0} with {1} -> {2}")
  @MethodSource("matrix")
  void eachPolicyHoldsEachIdentityToItsOwnRequirements(Policy policy, Identity identity, String expected) {
    Decision d = Authorizer.decide(policy, identity);
    String actual;
    if (d instanceof Decision.Allow) actual = "allow";
    else if (d instanceof Decision.Deny deny) actual = deny.code();
    else throw new AssertionError(d);
    assertEquals(expected, actual);
  }
}
