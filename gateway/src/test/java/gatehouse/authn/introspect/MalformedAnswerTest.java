package gatehouse.authn.introspect;

import static gatehouse.authn.introspect.Intro.assertAuthenticated;
import static gatehouse.authn.introspect.Intro.assertUnverifiable;
import static gatehouse.authn.introspect.Intro.await;
import static gatehouse.authn.introspect.Intro.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.testing.LocalAuthorizationServer;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way an answer can be broken is 503 (the token may be valid), is not cached, and leaves the
 * next call to a healthy server to succeed. Matrix over status, content and member types.
 */
class MalformedAnswerTest {
  private static Vertx vertx;
  private static LocalAuthorizationServer server;

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
    server = LocalAuthorizationServer.start(vertx);
    server.activate("tok", new JsonObject().put("sub", "alice"));
  }

  @AfterAll
  static void stop() {
    server.close();
    await(vertx.close());
  }

  static Stream<Arguments> malformations() {
    String json = "application/json";
    return Stream.of(
        Arguments.of("500", 500, json, "{\"active\":true}"),
        Arguments.of("502", 502, "text/html", "<html>bad gateway</html>"),
        Arguments.of("503", 503, "text/plain", "down"),
        Arguments.of("404", 404, json, "{}"),
        // 400 invalid_request is about the token, not the server: see WhoseFaultTest.
        Arguments.of("400 invalid_client", 400, json, "{\"error\":\"invalid_client\"}"),
        Arguments.of("400 without an error code", 400, "text/plain", "bad request"),
        Arguments.of("401 our credentials", 401, json, "{\"error\":\"invalid_client\"}"),
        Arguments.of("403", 403, json, "{}"),
        Arguments.of("a redirect is not followed", 302, json, ""),
        Arguments.of("an HTML page", 200, "text/html", "<html><body>login</body></html>"),
        Arguments.of("an empty body", 200, json, ""),
        Arguments.of("truncated JSON", 200, json, "{\"active\":tru"),
        Arguments.of("trailing text", 200, json, "{\"active\":true} {\"active\":false}"),
        Arguments.of("a JSON array", 200, json, "[{\"active\":true}]"),
        Arguments.of("JSON null", 200, json, "null"),
        Arguments.of("a JSON string", 200, json, "\"active\""),
        Arguments.of("no active member", 200, json, "{\"sub\":\"alice\"}"),
        Arguments.of("active as a string", 200, json, "{\"active\":\"true\"}"),
        Arguments.of("active as a number", 200, json, "{\"active\":1}"),
        Arguments.of("active null", 200, json, "{\"active\":null}"),
        Arguments.of("duplicate active members", 200, json, "{\"active\":false,\"active\":true}"),
        Arguments.of("exp as a string", 200, json, "{\"active\":true,\"exp\":\"tomorrow\"}"),
        Arguments.of("scope as an array", 200, json, "{\"active\":true,\"scope\":[\"a\",\"b\"]}"),
        Arguments.of("sub as a number", 200, json, "{\"active\":true,\"sub\":42}"),
        Arguments.of("token_type as an object", 200, json, "{\"active\":true,\"token_type\":{}}"),
        Arguments.of("a body over 64 KiB", 200, json, "{\"active\":true,\"pad\":\"" + "x".repeat(70_000) + "\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformations")
  void aBrokenAnswerIs503AndIsNotCached(String label, int status, String contentType, String body) {
    MutableClock clock = MutableClock.start();
    IntrospectionAuthenticator a = IntrospectionAuthenticator.create(vertx, new Intro.Config(server.endpoint()).build(), clock);
    try {
      server.answerRaw(status, contentType, body);
      int before = server.callCount();
      assertUnverifiable(await(a.authenticate(bearer("tok"))));
      server.recover();
      assertEquals("alice", assertAuthenticated(await(a.authenticate(bearer("tok")))).identity().subject());
      assertEquals(before + 2, server.callCount(), "the failure was not cached");
    } finally {
      server.recover();
      a.close();
    }
  }
}
