package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertRejected;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Authentication;
import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18 section 4 for RFC 7662 answers, from a real server on 127.0.0.1: {@code nbf} and {@code
 * iat} honoured with the skew, NumericDate bounds, {@code allowed_clients}, {@code
 * max_token_lifetime}, and roles from several member paths.
 */
class Issue18AnswerRulesTest {
  private static Vertx vertx;
  private static LocalAuthorizationServer server;
  private final MutableClock clock = MutableClock.start();
  private final List<IntrospectionAuthenticator> created = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
    server = LocalAuthorizationServer.start(vertx);
  }

  @AfterAll
  static void stop() {
    server.close();
    await(vertx.close());
  }

  @AfterEach
  void closeAuthenticators() {
    server.recover();
    created.forEach(IntrospectionAuthenticator::close);
  }

  private IntrospectionAuthenticator create(Intro.Config c) {
    IntrospectionAuthenticator a = IntrospectionAuthenticator.create(vertx, c.build(), clock);
    created.add(a);
    return a;
  }

  private Intro.Config config() {
    return new Intro.Config(server.endpoint());
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }

  /** Introspects a token the server answers with {@code members} plus {@code "active": true}. */
  private Authentication answerTo(IntrospectionAuthenticator a, String token, JsonObject members) {
    server.activate(token, members);
    return await(a.authenticate(bearer(token)));
  }

  // --- nbf and iat ----------------------------------------------------------------------------

  @Test
  void nbfAndIatInTheFutureBeyondTheSkewAreNotYetValid() {
    IntrospectionAuthenticator a = create(config().skew(Duration.ofSeconds(60)));
    long now = now();
    assertEquals("not_yet_valid", assertRejected(answerTo(a, "nbf-61", new JsonObject().put("sub", "alice").put("nbf", now + 61))));
    assertEquals("not_yet_valid", assertRejected(answerTo(a, "iat-61", new JsonObject().put("sub", "alice").put("iat", now + 61))));
    assertAuthenticated(answerTo(a, "nbf-60", new JsonObject().put("sub", "alice").put("nbf", now + 60)));
    assertAuthenticated(answerTo(a, "iat-60", new JsonObject().put("sub", "alice").put("iat", now + 60.0)));
    assertAuthenticated(answerTo(a, "past", new JsonObject().put("sub", "alice").put("iat", now - 5).put("nbf", now - 5)));
  }

  @Test
  void theSkewIsThisProvidersOwn() {
    IntrospectionAuthenticator a = create(config().skew(Duration.ZERO));
    assertEquals("not_yet_valid", assertRejected(answerTo(a, "iat-1", new JsonObject().put("iat", now() + 1))));
    assertAuthenticated(answerTo(a, "iat-0", new JsonObject().put("iat", now())));
  }

  // --- NumericDate bounds ---------------------------------------------------------------------

  static Stream<Arguments> dates() {
    return Stream.of(
        // member, JSON literal, accepted (else 503: the server is not speaking RFC 7662)
        Arguments.of("exp", "18446744073709551616", false), // 2^64
        Arguments.of("exp", "9223372036854775807", false),
        Arguments.of("exp", "1e300", false),
        Arguments.of("exp", "253402300800", false), // 10000-01-01T00:00:00Z
        Arguments.of("exp", "253402300799", true),
        Arguments.of("exp", "-1", false),
        Arguments.of("exp", "-0.5", false),
        Arguments.of("exp", "\"NaN\"", false),
        Arguments.of("nbf", "-1", false),
        Arguments.of("nbf", "1e300", false),
        Arguments.of("nbf", "0", true),
        Arguments.of("iat", "-1", false),
        Arguments.of("iat", "18446744073709551616", false),
        Arguments.of("iat", "\"yesterday\"", false),
        Arguments.of("iat", "0", true));
  }

  @ParameterizedTest(name = "{0}: {1} -> accepted {2}")
  @MethodSource("dates")
  void datesOutsideTheEpochToTheYear9999AreNotAnAnswer(String member, String literal, boolean accepted) {
    IntrospectionAuthenticator a = create(config());
    server.answerRaw(200, "application/json", "{\"active\":true,\"sub\":\"alice\",\"" + member + "\":" + literal + "}");
    Authentication answer = await(a.authenticate(bearer("dated")));
    if (accepted) assertAuthenticated(answer);
    else assertUnverifiable(answer);
  }

  // --- allowed_clients ------------------------------------------------------------------------

  static Stream<Arguments> clients() {
    return Stream.of(
        // azp, client_id, expected code (null: accepted)
        Arguments.of("web", null, null),
        Arguments.of(null, "web", null),
        Arguments.of("web", "web", null),
        Arguments.of(null, "cli", null),
        Arguments.of("other", null, "client_not_allowed"),
        Arguments.of(null, "other", "client_not_allowed"),
        Arguments.of(null, "WEB", "client_not_allowed"),
        Arguments.of(null, null, "missing_client"),
        Arguments.of("web", "other", "ambiguous_client"),
        Arguments.of("other", "web", "ambiguous_client"));
  }

  @ParameterizedTest(name = "azp={0} client_id={1} -> {2}")
  @MethodSource("clients")
  void allowedClientsMatchAzpElseClientId(String azp, String clientId, String code) {
    IntrospectionAuthenticator a = create(config().allowedClients("web", "cli"));
    JsonObject members = new JsonObject().put("sub", "alice");
    if (azp != null) members.put("azp", azp);
    if (clientId != null) members.put("client_id", clientId);
    Authentication answer = answerTo(a, "client-" + azp + "-" + clientId, members);
    if (code == null) assertAuthenticated(answer);
    else assertEquals(code, assertRejected(answer));
  }

  @Test
  void aClientIdThatIsNotAStringIsNotAnAnswer() {
    IntrospectionAuthenticator a = create(config().allowedClients("web"));
    assertUnverifiable(answerTo(a, "numeric-client", new JsonObject().put("client_id", 7)));
  }

  // --- max_token_lifetime ---------------------------------------------------------------------

  @Test
  void lifetimeIsExpMinusIatElseExpMinusNow() {
    IntrospectionAuthenticator a = create(config().maxLifetime(Duration.ofHours(1)));
    long issued = now() - 600;
    assertAuthenticated(answerTo(a, "hour", new JsonObject().put("iat", issued).put("exp", issued + 3600)));
    assertEquals("lifetime_too_long", assertRejected(answerTo(a, "hour+1", new JsonObject().put("iat", issued).put("exp", issued + 3601))));
    assertAuthenticated(answerTo(a, "left-hour", new JsonObject().put("exp", now() + 3600)));
    assertEquals("lifetime_too_long", assertRejected(answerTo(a, "left-hour+1", new JsonObject().put("exp", now() + 3601))));
  }

  @Test
  void withAMaximumAnAnswerWithoutExpIsRefused() {
    assertAuthenticated(answerTo(create(config()), "no-exp", new JsonObject().put("sub", "alice")));
    assertEquals("lifetime_too_long", assertRejected(answerTo(create(config().maxLifetime(Duration.ofDays(1))), "no-exp-capped",
        new JsonObject().put("sub", "alice"))));
  }

  // --- roles ----------------------------------------------------------------------------------

  /** Keycloak's introspection answer carries the access token's claims, realm and client roles included. */
  @Test
  void keycloakRealmAndClientRolesAreJoined() {
    IntrospectionAuthenticator a = create(config().rolesClaim("realm_access.roles", "resource_access.web-app.roles"));
    JsonObject members = new JsonObject().put("sub", "alice").put("azp", "web-app").put("client_id", "web-app")
        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("admin").add("offline_access")))
        .put("resource_access", new JsonObject()
            .put("web-app", new JsonObject().put("roles", new JsonArray().add("orders-read")))
            .put("account", new JsonObject().put("roles", new JsonArray().add("view-profile"))));
    assertEquals(Set.of("admin", "offline_access", "orders-read"), assertAuthenticated(answerTo(a, "kc", members)).identity().roles());
  }
}
