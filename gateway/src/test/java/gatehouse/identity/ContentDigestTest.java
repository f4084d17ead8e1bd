package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ContentDigestTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  static HttpMessageSigner signer(OptionalLong maxBody) {
    return HttpMessageSigner.hmac("k", SECRET, List.of("x-user-id"), maxBody,
        Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC), () -> "nonce-0123456789ab");
  }

  @Test
  void theDigestIsRfc9530sStructuredFieldByteSequence() {
    // RFC 9530 appendix B.1.
    assertEquals("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
        ContentDigest.sha256("{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", ContentDigest.sha256(new byte[0]));
  }

  @Test
  void aBodyIsDigestedAndCoveredAfterTheQueryOnlyWhenContentDigestIsOn() {
    byte[] body = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> on = signer(OptionalLong.of(1024)).sign("POST", "a:1", "/p", n -> List.of(), Optional.empty(), Optional.of(body));
    assertEquals(ContentDigest.sha256(body), on.get("Content-Digest"));
    assertTrue(on.get("Signature-Input").startsWith("gatehouse=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"x-user-id\");"),
        on.get("Signature-Input"));

    Map<String, String> bodyless = signer(OptionalLong.of(1024)).sign("POST", "a:1", "/p", n -> List.of(), Optional.empty(), Optional.empty());
    assertFalse(bodyless.containsKey("Content-Digest"));
    assertFalse(bodyless.get("Signature-Input").contains("content-digest"));
    Map<String, String> off = signer(OptionalLong.empty()).sign("POST", "a:1", "/p", n -> List.of(), Optional.empty(), Optional.of(body));
    assertEquals(bodyless, off, "with content_digest off a body changes nothing");
  }
}
