package gatehouse.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The trace context the gateway forwards: its caller's continued only from a trusted peer, a new
 * one otherwise (a client must not choose the trace id its requests are logged and sampled under),
 * and always well-formed, with a span id of this hop's own.
 */
class ContextTraceTest {
  static final String CALLER = "00-" + TraceParentTest.TRACE + "-" + TraceParentTest.PARENT + "-01";

  private static MultiMap forwarded(MultiMap client, boolean trusted) {
    RequestTrace trace = RequestTracing.CONTEXT_ONLY.start(client, trusted, "GET");
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().addAll(client);
    trace.propagate(upstream);
    assertEquals(trace.traceId(), upstream.get("traceparent").substring(3, 35), "the logged trace id is the forwarded one");
    return upstream;
  }

  @Test
  void aTrustedPeersTraceIsContinuedWithANewSpanIdAndItsTracestate() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("traceparent", CALLER).add("tracestate", "rojo=00f067aa0ba902b7");
    MultiMap upstream = forwarded(client, true);
    String sent = upstream.get("traceparent");
    assertEquals("00-" + TraceParentTest.TRACE + "-", sent.substring(0, 36));
    assertNotEquals(TraceParentTest.PARENT, sent.substring(36, 52), "a new span id per hop");
    assertTrue(sent.endsWith("-01"), "the caller's sampled flag");
    assertEquals(List.of("rojo=00f067aa0ba902b7"), upstream.getAll("tracestate"));
  }

  @Test
  void anUntrustedClientsTraceIsReplacedAndItsTracestateDropped() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("traceparent", CALLER).add("tracestate", "rojo=00f067aa0ba902b7");
    MultiMap upstream = forwarded(client, false);
    String sent = upstream.get("traceparent");
    assertNotEquals(TraceParentTest.TRACE, sent.substring(3, 35));
    assertTrue(sent.endsWith("-00"), "the gateway records nothing, so it samples nothing");
    assertNull(upstream.get("tracestate"));
  }

  @Test
  void aTrustedPeersInvalidTraceparentStartsANewTraceAndItsTracestateIsNotRead() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("traceparent", CALLER.toUpperCase()).add("tracestate", "rojo=1");
    MultiMap upstream = forwarded(client, true);
    assertNotEquals(TraceParentTest.TRACE, upstream.get("traceparent").substring(3, 35));
    assertNull(upstream.get("tracestate"));
  }

  @Test
  void twoTraceparentLinesAreNoTraceparent() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("traceparent", CALLER).add("traceparent", CALLER);
    assertNotEquals(TraceParentTest.TRACE, forwarded(client, true).get("traceparent").substring(3, 35));
  }

  @Test
  void contextOnlyTracesRecordNothing() {
    assertFalse(RequestTracing.CONTEXT_ONLY.start(MultiMap.caseInsensitiveMultiMap(), false, "GET").recording());
  }

  @Property
  void anythingForwardedIsWellFormedAndContinuedOnlyFromATrustedPeer(@ForAll("traceparents") List<String> parents,
      @ForAll("tracestates") List<String> states, @ForAll boolean trusted) {
    MultiMap client = MultiMap.caseInsensitiveMultiMap();
    parents.forEach(p -> client.add("traceparent", p));
    states.forEach(s -> client.add("tracestate", s));
    MultiMap upstream = forwarded(client, trusted);
    assertEquals(1, upstream.getAll("traceparent").size());
    String sent = upstream.get("traceparent");
    assertTrue(TraceParentTest.VERSION_00.matcher(sent).matches(), sent);
    assertTrue(TraceParent.parse(sent).isPresent(), sent);
    Optional<TraceParent> valid = parents.size() == 1 ? TraceParent.parse(parents.get(0)) : Optional.empty();
    boolean continued = trusted && valid.isPresent();
    if (continued) {
      assertEquals(valid.get().traceId(), sent.substring(3, 35));
      assertNotEquals(valid.get().parentId(), sent.substring(36, 52));
      assertEquals(TraceState.parse(states), Optional.ofNullable(upstream.get("tracestate")));
    } else {
      parents.forEach(p -> assertFalse(p.length() >= 35 && p.substring(3, 35).equals(sent.substring(3, 35)), "a client's trace id"));
      assertTrue(sent.endsWith("-00"));
      assertNull(upstream.get("tracestate"));
    }
  }

  @Provide
  Arbitrary<List<String>> traceparents() {
    Arbitrary<String> one = Arbitraries.oneOf(new TraceParentTest().nearlyTraceparents(), Arbitraries.strings().ofMaxLength(60));
    return one.list().ofMaxSize(2);
  }

  @Provide
  Arbitrary<List<String>> tracestates() {
    Arbitrary<String> member = Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcxyz019_-*/@").ofMinLength(1).ofMaxLength(8)
            .flatMap(k -> Arbitraries.strings().withChars("abcXYZ012 =,!~").ofMinLength(0).ofMaxLength(6).map(v -> k + "=" + v)),
        Arbitraries.strings().ofMaxLength(10));
    return member.list().ofMaxSize(4).map(members -> members.isEmpty() ? List.of() : List.of(String.join(",", members)));
  }
}
