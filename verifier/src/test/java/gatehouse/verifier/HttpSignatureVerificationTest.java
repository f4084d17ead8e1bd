package gatehouse.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.verifier.Verification.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The verifier's rules on hand-made signatures (the gateway's real ones are checked end to end in
 * the gateway's SigningIT). The signer here follows the README's definition independently.
 */
class HttpSignatureVerificationTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final long NOW = 1_800_000_000L;
  static final List<String> IDENTITY = List.of("x-user-id", "x-user-role");

  static GatehouseVerifier verifier(long now) {
    return GatehouseVerifier.httpSignatures().hmacSha256("k1", SECRET).identityHeaders("X-User-Id", "X-User-Role")
        .clock(Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC)).build();
  }

  /** A request signed over {@code covered} with {@code params} after the covered list. */
  static IncomingRequest signed(List<String> covered, String params, Map<String, String> identity) throws Exception {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Host", List.of("orders.internal:8080"));
    identity.forEach((k, v) -> headers.put(k, List.of(v)));
    StringBuilder list = new StringBuilder("(");
    for (String c : covered) list.append(list.length() > 1 ? " " : "").append('"').append(c).append('"');
    String sigParams = list.append(')') + params;
    StringBuilder base = new StringBuilder();
    for (String c : covered) {
      String v = switch (c) {
        case "@method" -> "GET";
        case "@authority" -> "orders.internal:8080";
        case "@path" -> "/orders/7";
        case "@query" -> "?full=1";
        default -> identity.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(c)).map(Map.Entry::getValue).findFirst().orElse("");
      };
      base.append('"').append(c).append("\": ").append(v).append('\n');
    }
    base.append("\"@signature-params\": ").append(sigParams);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    String sig = Base64.getEncoder().encodeToString(mac.doFinal(base.toString().getBytes(StandardCharsets.UTF_8)));
    headers.put("Signature-Input", List.of("gatehouse=" + sigParams));
    headers.put("Signature", List.of("gatehouse=:" + sig + ":"));
    return new IncomingRequest("GET", "/orders/7?full=1", headers);
  }

  static List<String> all() {
    return List.of("@method", "@authority", "@path", "@query", "x-user-id", "x-user-role");
  }

  static String params(long created, String nonce) {
    return ";created=" + created + ";keyid=\"k1\";alg=\"hmac-sha256\";nonce=\"" + nonce + "\";tag=\"gatehouse\"";
  }

  static Reason reason(Verification v) {
    return v instanceof Verification.Refused r ? r.reason() : null;
  }

  @Test
  void aGoodSignatureIsVerifiedOnceAndItsIdentityReturned() throws Exception {
    GatehouseVerifier v = verifier(NOW);
    IncomingRequest r = signed(all(), params(NOW, "nonce-0123456789ab"), Map.of("X-User-Id", "alice"));
    Verification ok = v.verify(r);
    assertEquals(new Verification.Verified("k1", Map.of("x-user-id", "alice"), java.util.Optional.empty()), ok);
    assertEquals(Reason.REPLAYED, reason(v.verify(r)));
  }

  @Test
  void everyRuleHasItsReason() throws Exception {
    Map<String, String> alice = Map.of("X-User-Id", "alice");
    IncomingRequest good = signed(all(), params(NOW, "nonce-0123456789ab"), alice);
    Map<String, List<String>> tampered = new LinkedHashMap<>(good.headers());
    tampered.put("X-User-Role", List.of("admin"));
    assertEquals(Reason.BAD_SIGNATURE, reason(verifier(NOW).verify(new IncomingRequest("GET", good.target(), tampered))));
    assertEquals(Reason.TOO_OLD, reason(verifier(NOW + 31).verify(good)));
    assertEquals(Reason.FROM_THE_FUTURE, reason(verifier(NOW - 6).verify(good)));
    assertEquals(Reason.NOT_COVERED, reason(verifier(NOW).verify(signed(List.of("@method", "@authority", "@path", "@query", "x-user-id"),
        params(NOW, "nonce-0123456789ab"), alice))));
    assertEquals(Reason.MALFORMED, reason(verifier(NOW).verify(signed(all(), ";created=" + NOW + ";keyid=\"k1\";tag=\"gatehouse\"", alice))));
    assertEquals(Reason.UNKNOWN_KEY, reason(verifier(NOW).verify(signed(all(),
        ";created=" + NOW + ";keyid=\"k9\";nonce=\"nonce-0123456789ab\";tag=\"gatehouse\"", alice))));
    assertEquals(Reason.UNKNOWN_KEY, reason(verifier(NOW).verify(signed(all(),
        ";created=" + NOW + ";keyid=\"k1\";alg=\"ed25519\";nonce=\"nonce-0123456789ab\";tag=\"gatehouse\"", alice))));
    GatehouseVerifier wrongKey = GatehouseVerifier.httpSignatures().hmacSha256("k1", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8))
        .clock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC)).build();
    assertEquals(Reason.BAD_SIGNATURE, reason(wrongKey.verify(good)));
    Map<String, List<String>> none = new LinkedHashMap<>(good.headers());
    none.remove("Signature");
    assertEquals(Reason.MISSING, reason(verifier(NOW).verify(new IncomingRequest("GET", good.target(), none))));
    Map<String, List<String>> twice = new LinkedHashMap<>(good.headers());
    twice.put("Signature-Input", List.of(good.header("Signature-Input").get(0), good.header("Signature-Input").get(0)));
    assertEquals(Reason.MALFORMED, reason(verifier(NOW).verify(new IncomingRequest("GET", good.target(), twice))));
  }

  @Test
  void anAbsentIdentityHeaderIsSignedEmptySoAddingOneBreaksTheSignature() throws Exception {
    IncomingRequest anonymous = signed(all(), params(NOW, "nonce-0123456789ab"), Map.of());
    assertEquals(new Verification.Verified("k1", Map.of(), java.util.Optional.empty()), verifier(NOW).verify(anonymous));
    Map<String, List<String>> added = new LinkedHashMap<>(anonymous.headers());
    added.put("x-user-id", List.of("admin"));
    assertEquals(Reason.BAD_SIGNATURE, reason(verifier(NOW).verify(new IncomingRequest("GET", anonymous.target(), added))));
  }

  /** RFC 9530 section 2's field for {@code body}, computed here independently of the gateway. */
  static String contentDigest(byte[] body) throws Exception {
    return "sha-256=:" + Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(body)) + ":";
  }

  @Test
  void aSignedContentDigestIsCheckedAgainstTheBodyAsReceived() throws Exception {
    byte[] body = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    // RFC 9530 appendix B.1's example value for this body.
    assertEquals("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", contentDigest(body));
    List<String> covered = List.of("@method", "@authority", "@path", "@query", "content-digest", "x-user-id", "x-user-role");
    Map<String, String> headers = Map.of("X-User-Id", "alice", "Content-Digest", contentDigest(body));
    GatehouseVerifier v = verifier(NOW);

    Verification ok = v.verify(signed(covered, params(NOW, "nonce-digest-000001"), headers).withBody(body));
    assertEquals(new Verification.Verified("k1", Map.of("x-user-id", "alice"), java.util.Optional.empty()), ok,
        "content-digest is not an identity header");
    byte[] tampered = "{\"hello\": \"World\"}".getBytes(StandardCharsets.UTF_8);
    IncomingRequest changed = signed(covered, params(NOW, "nonce-digest-000002"), headers).withBody(tampered);
    assertEquals(Reason.DIGEST_MISMATCH, reason(v.verify(changed)));
    assertEquals("ok", v.verify(changed.withBody(body)).verified() ? "ok" : "refused",
        "a copy with a changed body does not use up the genuine request's nonce");
    assertEquals(Reason.DIGEST_MISMATCH, reason(v.verify(signed(covered, params(NOW, "nonce-digest-000003"), headers))),
        "covered, but the backend did not give the body");
    assertEquals(Reason.DIGEST_MISMATCH, reason(v.verify(signed(covered, params(NOW, "nonce-digest-000004"), headers).withBody(new byte[0]))),
        "the body was removed");
    assertEquals(Reason.MALFORMED, reason(v.verify(signed(covered, params(NOW, "nonce-digest-000005"),
        Map.of("Content-Digest", "sha-512=:AAAA:")).withBody(body))), "no sha-256 member");
  }

  @Test
  void aBodyGivenToTheVerifierMustBeCoveredByAContentDigest() throws Exception {
    GatehouseVerifier v = verifier(NOW);
    byte[] body = "added on the way".getBytes(StandardCharsets.UTF_8);
    assertEquals(Reason.NOT_COVERED, reason(v.verify(signed(all(), params(NOW, "nonce-digest-000010"), Map.of()).withBody(body))));
    assertEquals("ok", v.verify(signed(all(), params(NOW, "nonce-digest-000011"), Map.of()).withBody(new byte[0])).verified() ? "ok" : "refused",
        "an empty body needs no digest");
    assertEquals("ok", v.verify(signed(all(), params(NOW, "nonce-digest-000012"), Map.of())).verified() ? "ok" : "refused",
        "without the body, nothing about it is checked");
  }
}
