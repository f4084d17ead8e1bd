package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertRejected;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Authentication;
import gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whose fault an answer is: the token's (401, the breaker does not count it) or the authorization
 * server's (503, counted). One row per answer shape that real servers document or were seen to
 * send for malformed, foreign or unknown tokens, and for refused client credentials.
 */
class WhoseFaultTest {
  private static final String JSON = "application/json";

  enum Fault { TOKEN, DEPENDENCY }

  static Stream<Arguments> answers() {
    return Stream.of(
        // RFC 7662 section 2.2; Keycloak, Okta, Ory Hydra, Spring Authorization Server and
        // oidc-provider all answer an unknown, expired or foreign token like this.
        Arguments.of("RFC 7662 inactive", 200, JSON, "{\"active\":false}", Fault.TOKEN),
        // What issue 18 saw oidc-provider answer for a JWT-shaped token; also Keycloak
        // and Okta for a missing or unusable token parameter.
        Arguments.of("oidc-provider 400 invalid_request", 400, JSON,
            "{\"error\":\"invalid_request\",\"error_description\":\"invalid token provided\"}", Fault.TOKEN),
        Arguments.of("RFC 6750 invalid_token", 400, JSON, "{\"error\":\"invalid_token\"}", Fault.TOKEN),
        Arguments.of("RFC 7009 unsupported_token_type", 400, JSON, "{\"error\":\"unsupported_token_type\"}", Fault.TOKEN),
        Arguments.of("400 invalid_grant", 400, "application/json;charset=UTF-8", "{\"error\":\"invalid_grant\"}", Fault.TOKEN),
        Arguments.of("413 token too large", 413, "text/plain", "too large", Fault.TOKEN),
        // Our own credentials: RFC 6749 section 5.2 allows 400 or 401 for invalid_client.
        Arguments.of("400 invalid_client (Hydra, Spring AS)", 400, JSON, "{\"error\":\"invalid_client\"}", Fault.DEPENDENCY),
        Arguments.of("400 unauthorized_client", 400, JSON, "{\"error\":\"unauthorized_client\"}", Fault.DEPENDENCY),
        Arguments.of("401 invalid_client (oidc-provider, Okta)", 401, JSON, "{\"error\":\"invalid_client\"}", Fault.DEPENDENCY),
        // Keycloak refuses a client with 401 and invalid_request: the status decides.
        Arguments.of("401 invalid_request (Keycloak bad client)", 401, JSON,
            "{\"error\":\"invalid_request\",\"error_description\":\"Authentication failed.\"}", Fault.DEPENDENCY),
        // Keycloak: a public client may not introspect; a disabled realm.
        Arguments.of("403 invalid_request (Keycloak: client not allowed)", 403, JSON,
            "{\"error\":\"invalid_request\",\"error_description\":\"Client not allowed.\"}", Fault.DEPENDENCY),
        Arguments.of("403 access_denied (Keycloak: realm not enabled)", 403, JSON, "{\"error\":\"access_denied\"}", Fault.DEPENDENCY),
        Arguments.of("400 without a body", 400, "text/plain", "", Fault.DEPENDENCY),
        Arguments.of("400 html", 400, "text/html", "<html>Bad Request</html>", Fault.DEPENDENCY),
        Arguments.of("400 error not a string", 400, JSON, "{\"error\":42}", Fault.DEPENDENCY),
        Arguments.of("400 server_error", 400, JSON, "{\"error\":\"server_error\"}", Fault.DEPENDENCY),
        Arguments.of("404", 404, "text/plain", "not found", Fault.DEPENDENCY),
        Arguments.of("429", 429, JSON, "{\"error\":\"invalid_request\"}", Fault.DEPENDENCY),
        Arguments.of("500 invalid_request", 500, JSON, "{\"error\":\"invalid_request\"}", Fault.DEPENDENCY),
        Arguments.of("502", 502, "text/html", "<html>Bad Gateway</html>", Fault.DEPENDENCY),
        Arguments.of("503", 503, "text/plain", "down", Fault.DEPENDENCY),
        Arguments.of("200 error body", 200, JSON, "{\"error\":\"invalid_token\"}", Fault.DEPENDENCY),
        Arguments.of("200 html", 200, "text/html", "<html></html>", Fault.DEPENDENCY));
  }

  private final Intro.Fixture f = new Intro.Fixture();

  @AfterEach
  void stop() {
    f.close();
  }

  private IntrospectionAuthenticator create(int breakerFailures) {
    return f.create(new Intro.Config(f.server.endpoint()).breaker(breakerFailures, Duration.ofSeconds(30)),
        MutableClock.start(), new Intro.ManualScheduler());
  }

  @ParameterizedTest(name = "{0}: {4}")
  @MethodSource("answers")
  void eachAnswerIsTheTokensFaultOrTheServers(String shape, int status, String type, String body, Fault fault) {
    IntrospectionAuthenticator a = create(3);
    f.server.answerRaw(status, type, body);
    for (int i = 0; i < 3; i++) {
      Authentication answer = await(a.authenticate(bearer("token-" + i)));
      if (fault == Fault.TOKEN) assertEquals("inactive", assertRejected(answer), shape);
      else assertUnverifiable(answer);
    }
    assertEquals(fault == Fault.TOKEN ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN, a.breaker().state(), shape);
  }

  @Test
  void forgedJwtShapedTokensNeverOpenTheBreakerForValidOpaqueTokens() {
    IntrospectionAuthenticator a = create(5);
    f.server.activate("valid-opaque", new JsonObject().put("sub", "alice"));
    for (int i = 0; i < 50; i++) {
      String forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." + i;
      f.server.answerRawFor(forged, 400, JSON, "{\"error\":\"invalid_request\",\"error_description\":\"invalid token\"}");
      assertEquals("inactive", assertRejected(await(a.authenticate(bearer(forged)))));
    }
    assertEquals(CircuitBreaker.State.CLOSED, a.breaker().state());
    assertEquals("alice", assertAuthenticated(await(a.authenticate(bearer("valid-opaque")))).identity().subject());
  }
}
