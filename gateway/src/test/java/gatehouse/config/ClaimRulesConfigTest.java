package gatehouse.config;

import static gatehouse.config.TestConfigs.MINIMAL;
import static gatehouse.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 18: {@code roles_claim} lists, {@code allowed_clients}, {@code max_token_lifetime}, introspection {@code clock_skew}. */
class ClaimRulesConfigTest {
  private static final String JWT = "    - {name: a, issuer: \"https://a.example.com\", jwks_uri: \"https://a.example.com/k\", ";
  private static final String INTRO = "    - {name: a, endpoint: \"https://as/i\", client_id: gw, client_secret: s, ";

  private static String jwt(String more) {
    return MINIMAL + "auth:\n  jwt:\n" + JWT + more + "}\n";
  }

  private static String intro(String more) {
    return MINIMAL + "auth:\n  introspection:\n" + INTRO + more + "}\n";
  }

  @Test
  void aSingleRolesClaimStaysValidAndAListIsReadInOrder() throws ConfigException {
    assertEquals(List.of("realm_access.roles"), TestConfigs.parse(jwt("roles_claim: realm_access.roles")).auth().jwt().get(0).rolesClaims());
    assertEquals(List.of("a.b", "[\"https://x.example/roles\"]"),
        TestConfigs.parse(jwt("roles_claim: [a.b, '[\"https://x.example/roles\"]']")).auth().jwt().get(0).rolesClaims());
    assertEquals(List.of("role"), TestConfigs.parse(jwt("cache: true")).auth().jwt().get(0).rolesClaims());
    assertEquals(List.of("groups", "roles"), TestConfigs.parse(intro("roles_claim: [groups, roles]")).auth().introspection().get(0).rolesClaims());
  }

  @Test
  void theNewKeysDefaultToNoCheck() throws ConfigException {
    assertEquals(TokenRules.none(), TestConfigs.parse(jwt("cache: true")).auth().jwt().get(0).rules());
    assertEquals(new TokenRules(List.of("web"), Optional.of(Duration.ofMinutes(90))),
        TestConfigs.parse(intro("allowed_clients: [web], max_token_lifetime: 90m")).auth().introspection().get(0).rules());
  }

  @Test
  void badValuesAreNamedWithFileAndLine() {
    for (String kind : List.of("jwt", "introspection")) {
      String prefix = "gatehouse.yaml:7: auth." + kind + "[0].";
      java.util.function.Function<String, String> yaml = kind.equals("jwt") ? ClaimRulesConfigTest::jwt : ClaimRulesConfigTest::intro;
      assertEquals(List.of(prefix + "roles_claim: must not be empty (leave it out to read roles from 'role')"), problems(yaml.apply("roles_claim: []")));
      assertEquals(List.of(prefix + "roles_claim[1]: 'a' is already listed (line 7)"), problems(yaml.apply("roles_claim: [a, a]")));
      assertEquals(List.of(prefix + "roles_claim[0]: must not be empty"), problems(yaml.apply("roles_claim: ['']")));
      assertEquals(List.of(prefix + "allowed_clients: must not be empty (leave it out to accept every client)"),
          problems(yaml.apply("allowed_clients: []")));
      assertEquals(List.of(prefix + "allowed_clients: expected a list, got a mapping"), problems(yaml.apply("allowed_clients: {a: b}")));
      assertEquals(List.of(prefix + "allowed_clients[1]: 'web' is already listed (line 7)"), problems(yaml.apply("allowed_clients: [web, web]")));
      assertEquals(1, problems(yaml.apply("max_token_lifetime: 0s")).size(), kind + ": a zero lifetime is refused");
      assertEquals(1, problems(yaml.apply("max_token_lifetime: forever")).size(), kind + ": not a duration");
      assertEquals(List.of(prefix + "max_token_lifetim: unknown key 'max_token_lifetim' (did you mean 'max_token_lifetime'?)"),
          problems(yaml.apply("max_token_lifetim: 1h")));
      assertEquals(List.of(prefix + "allowed_client: unknown key 'allowed_client' (did you mean 'allowed_clients'?)"),
          problems(yaml.apply("allowed_client: [web]")));
    }
    assertEquals(List.of("gatehouse.yaml:7: auth.introspection[0].clock_skew: must be at most 10m (a larger leeway accepts tokens dated in the future)"),
        problems(intro("clock_skew: 11m")));
  }
}
