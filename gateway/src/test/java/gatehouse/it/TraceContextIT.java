package gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.testing.RawHttp;
import gatehouse.testing.UpstreamRecorder;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * W3C Trace Context through a real gateway with tracing off (no {@code tracing} section): the
 * caller's trace is continued only when its peer is a trusted proxy, a client's own is replaced,
 * the upstream is always told a well-formed traceparent with the gateway's span id, and the access
 * log names the trace id next to the request id.
 */
class TraceContextIT {
  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";
  static final String CALLER = "traceparent: 00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01";
  static final Pattern VERSION_00 = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");

  private final GatewayHarness.Deferred deferred = new GatewayHarness.Deferred();
  private final UpstreamRecorder upstream = deferred.upstream;
  private GatewayHarness gw;

  @RegisterExtension
  final GatewayInvariants invariants = new GatewayInvariants(() -> upstream);

  @AfterEach
  void stop() {
    deferred.close();
  }

  private void start(String topLevel) {
    gw = deferred.start(topLevel, "");
  }

  /** Sends {@code headers} to a public route; returns the traceparent the upstream got, after checking the access log names its trace id. */
  private String forwardedTraceparent(String... headers) {
    int before = upstream.requests().size();
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/public/x", headers);
    assertEquals(200, r.status());
    UpstreamRecorder.Recorded sent = upstream.awaitRequests(before + 1).get(before);
    List<String> traceparents = sent.headers("traceparent");
    assertEquals(1, traceparents.size(), "one traceparent upstream");
    String traceparent = traceparents.get(0);
    assertTrue(VERSION_00.matcher(traceparent).matches(), traceparent);
    String id = r.header("X-Request-Id").orElseThrow();
    invariants.awaitLogLine(line -> line.startsWith("id=" + id + " trace=" + traceparent.substring(3, 35) + " "));
    return traceparent;
  }

  @Test
  void anUntrustedClientsTraceparentIsReplacedNotForwarded() {
    start("");
    String sent = forwardedTraceparent(CALLER, "tracestate: rojo=00f067aa0ba902b7");
    assertNotEquals(CALLER_TRACE, sent.substring(3, 35), "a client must not choose its trace id");
    assertTrue(sent.endsWith("-00"), "nor its sampling");
    assertEquals(List.of(), upstream.lastRequest().headers("tracestate"));
  }

  @Test
  void aRequestWithoutTraceparentStartsATrace() {
    start("");
    String first = forwardedTraceparent();
    String second = forwardedTraceparent();
    assertNotEquals(first.substring(3, 35), second.substring(3, 35));
  }

  @Test
  void aTrustedProxysTraceparentIsContinuedWithTheGatewaysOwnSpanId() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}");
    String sent = forwardedTraceparent(CALLER, "tracestate: rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assertEquals("00-" + CALLER_TRACE + "-", sent.substring(0, 36));
    assertNotEquals(CALLER_SPAN, sent.substring(36, 52), "a new span id per hop");
    assertTrue(sent.endsWith("-01"));
    assertEquals(List.of("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"), upstream.lastRequest().headers("tracestate"));
  }

  @Test
  void aTrustedProxysInvalidTraceparentStartsANewTraceWithoutItsTracestate() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}");
    String sent = forwardedTraceparent("traceparent: 00-" + CALLER_TRACE + "-0000000000000000-01", "tracestate: rojo=1");
    assertNotEquals(CALLER_TRACE, sent.substring(3, 35));
    assertEquals(List.of(), upstream.lastRequest().headers("tracestate"));
  }

  @Test
  void aRejectedRequestIsLoggedWithATraceIdToo() {
    start("forwarding: {trusted_proxies: [127.0.0.1/32]}");
    RawHttp.Response r = RawHttp.get(gw.port(), "/api/orders", CALLER);
    assertEquals(401, r.status());
    String id = r.header("X-Request-Id").orElseThrow();
    invariants.awaitLogLine(line -> line.startsWith("id=" + id + " trace=" + CALLER_TRACE + " "));
  }
}
