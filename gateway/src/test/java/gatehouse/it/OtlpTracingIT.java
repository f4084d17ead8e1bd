package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.OtlpReceiver;
import gatehouse.testing.OtlpReceiver.Received;
import gatehouse.testing.RawHttp;
import gatehouse.testing.TestDatabases;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Spans exported over OTLP/HTTP to an in-test receiver, from a real gateway on 127.0.0.1 behind
 * which 127.0.0.1 is a trusted proxy: a server span per request, continuing the caller's
 * traceparent, with the stages as events, and a client span for the upstream call whose id is the
 * parent the upstream is told. No span carries a credential, whichever kind is sent and wherever.
 */
class OtlpTracingIT {
  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";
  /** Every attribute a span may have: values the gateway made or chose, nothing a client sent. */
  static final Set<String> ALLOWED = Set.of("http.request.method", "http.response.status_code", "http.route", "gatehouse.request_id",
      "gatehouse.outcome", "gatehouse.error", "gatehouse.upstream", "gatehouse.auth.scheme");

  /** The receiver's own, so that it outlives the gateway's and takes the spans flushed at its close. */
  private static Vertx receiverVertx;
  private static OtlpReceiver receiver;
  private static GatewayHarness gw;
  private static TestDatabases.Db db;
  private static String key;

  @BeforeContainer
  static void start() throws Exception {
    receiverVertx = TestVertx.create();
    receiver = OtlpReceiver.start(receiverVertx);
    db = TestDatabases.sqlite();
    key = Issue17SecretsIT.createKey(db.store());
    gw = GatewayHarness.start(
        Issue17SecretsIT.keyStore(db.store()) + "\nforwarding: {trusted_proxies: [127.0.0.1/32]}"
            + "\ntracing: {otlp: {endpoint: \"" + receiver.endpoint() + "\", protocol: http/protobuf}, sample_ratio: 1.0,"
            + " service_name: gatehouse-it}",
        "  - {id: keyed, match: {prefix: /keyed/}, upstream: app, policy: api_key}");
  }

  @AfterContainer
  static void stop() throws Exception {
    gw.close();
    receiver.close();
    receiverVertx.close().toCompletionStage().toCompletableFuture().join();
    db.close();
  }

  private static Received serverSpan(String requestId) {
    return receiver.await(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER && requestId.equals(s.attributes().get("gatehouse.request_id")));
  }

  @Example
  void aTrustedCallersTraceIsContinuedByTheServerSpanAndTheUpstreamIsToldTheClientSpan() {
    int before = gw.upstream.requests().size();
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x", "traceparent: 00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01",
        "tracestate: rojo=00f067aa0ba902b7");
    assertEquals(200, r.status());
    UpstreamRecorder.Recorded sent = gw.upstream.awaitRequests(before + 1).get(before);
    String traceparent = sent.header("traceparent").orElseThrow();
    assertEquals("00-" + CALLER_TRACE + "-", traceparent.substring(0, 36));
    assertTrue(traceparent.endsWith("-01"), traceparent);
    assertEquals(List.of("rojo=00f067aa0ba902b7"), sent.headers("tracestate"));

    Received server = serverSpan(r.header("X-Request-Id").orElseThrow());
    assertEquals(CALLER_TRACE, server.traceId());
    assertEquals(CALLER_SPAN, server.parentSpanId(), "the server span's parent is the caller's span");
    assertEquals("GET public", server.span().getName());
    assertEquals(List.of("route", "credential", "limit", "identity"), server.events());
    assertEquals("gatehouse-it", server.resource().get("service.name"));
    assertEquals(Map.of("http.request.method", "GET", "http.route", "public", "http.response.status_code", "200",
        "gatehouse.outcome", "forwarded", "gatehouse.upstream", "app", "gatehouse.request_id", r.header("X-Request-Id").get()),
        server.attributes());

    Received client = receiver.await(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT && s.traceId().equals(CALLER_TRACE));
    assertEquals(server.spanId(), client.parentSpanId(), "the client span is the server span's child");
    assertEquals(traceparent.substring(36, 52), client.spanId(), "the upstream's parent is the client span");
    assertNotEquals(CALLER_SPAN, client.spanId());
    assertEquals("200", client.attributes().get("http.response.status_code"));
  }

  @Example
  void aRequestWithoutTraceparentStartsATraceWhoseServerSpanIsARootAndItsStagesAreEvents() {
    String token = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice").claim("role", "user").sign();
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders", "Authorization: Bearer " + token);
    assertEquals(200, r.status());
    Received server = serverSpan(r.header("X-Request-Id").orElseThrow());
    assertEquals("", server.parentSpanId());
    assertEquals(List.of("route", "credential", "authenticate", "authorize", "limit", "identity"), server.events());
    assertEquals("jwt", server.attributes().get("gatehouse.auth.scheme"));
    assertEquals(server.traceId(), gw.upstream.lastRequest().header("traceparent").orElseThrow().substring(3, 35));
  }

  @Example
  void aRejectedRequestHasAServerSpanWithItsErrorAndNoClientSpan() {
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders", "Authorization: Bearer not-a-token");
    assertEquals(401, r.status());
    Received server = serverSpan(r.header("X-Request-Id").orElseThrow());
    assertEquals("rejected", server.attributes().get("gatehouse.outcome"));
    assertEquals("invalid_token", server.attributes().get("gatehouse.error"));
    assertEquals("401", server.attributes().get("http.response.status_code"));
    assertFalse(receiver.spans().stream().anyMatch(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT && s.traceId().equals(server.traceId())));
  }

  /** What the credential is. */
  enum Kind { VALID_TOKEN, FORGED_TOKEN, RANDOM_BEARER, VALID_KEY, RANDOM_KEY, BASIC }

  /** Where it is sent. */
  enum Where { AUTHORIZATION, API_KEY_HEADER, API_KEY_PARAM, ACCESS_TOKEN_PARAM, COOKIE }

  record Case(Kind kind, Where where, String route, long seed) {}

  @Provide
  Arbitrary<Case> cases() {
    return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.of(Where.class),
        Arbitraries.of("/api/public/p", "/api/orders", "/api/any/a", "/keyed/k", "/down/d", "/nowhere"), Arbitraries.longs())
        .as(Case::new);
  }

  @Property(tries = 25)
  void noSpanAttributeOrEventCarriesACredential(@ForAll("cases") Case c) {
    Random random = new Random(c.seed());
    String secret = switch (c.kind()) {
      case VALID_TOKEN -> TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "u" + random.nextInt(1000))
          .claim("role", "admin").claim("email", "secret" + random.nextInt(1000) + "@example.com").sign();
      case FORGED_TOKEN -> TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "bob").sign().replaceFirst("\\.[^.]+$", ".AAAA");
      case RANDOM_BEARER -> "s3cret" + Long.toHexString(random.nextLong());
      case VALID_KEY -> key;
      case RANDOM_KEY -> "gkey_" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
      case BASIC -> java.util.Base64.getEncoder().encodeToString(("user:pw" + random.nextInt()).getBytes());
    };
    List<String> headers = new ArrayList<>();
    String target = c.route();
    switch (c.where()) {
      case AUTHORIZATION -> headers.add("Authorization: " + (c.kind() == Kind.BASIC ? "Basic " : "Bearer ") + secret);
      case API_KEY_HEADER -> headers.add("X-API-Key: " + secret);
      case API_KEY_PARAM -> target += "?api_key=" + secret;
      case ACCESS_TOKEN_PARAM -> target += "?access_token=" + secret;
      case COOKIE -> headers.add("Cookie: session=" + secret);
      default -> throw new AssertionError(c.where());
    }
    RawHttp.Response r = RawHttp.get(gw.port(), target, headers.toArray(String[]::new));
    assertNotEquals(500, r.status(), target);
    Received server = serverSpan(r.header("X-Request-Id").orElseThrow());
    if (server.attributes().containsKey("gatehouse.upstream") && !"upstream_failed".equals(server.attributes().get("gatehouse.outcome"))) {
      receiver.await(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT && s.parentSpanId().equals(server.spanId()));
    }
    for (String export : receiver.exportsAsText()) {
      assertFalse(export.contains(secret), "a credential reached the collector: " + c);
      // A JWT's payload and signature are secrets of their own.
      for (String part : secret.split("\\.")) if (part.length() >= 16) assertFalse(export.contains(part), "a part of a token reached the collector: " + c);
    }
    for (Received s : receiver.spans()) {
      assertTrue(ALLOWED.containsAll(s.attributes().keySet()), "attributes beyond the allowed ones: " + s.attributes().keySet());
      assertTrue(s.span().getEventsList().stream().allMatch(e -> e.getAttributesCount() == 0), "events carry no attributes");
    }
  }
}
