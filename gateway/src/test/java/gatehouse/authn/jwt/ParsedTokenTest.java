package gatehouse.authn.jwt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import gatehouse.authn.AuthFailure;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ParsedToken#parse} reads header and claims with {@link StrictJson}; its refusals keep their words. */
class ParsedTokenTest {
  private static final String FP = "fp0";
  private static final MutableClock clock = MutableClock.start();

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
  }

  private static AuthFailure failure(String token) {
    return assertInstanceOf(ParsedToken.Bad.class, ParsedToken.parse(token, FP)).failure();
  }

  @Test
  void aTypicalTokenReadsAsNimbusReadsIt() throws Exception {
    String token = TestTokens.signedBy(TestKeys.rsa(), clock)
        .claim("scope", "read write").claim("roles", List.of("admin", "ops")).claim("email", "alice@example.com")
        .claim("nbf", 1.5).claim("realm_access", java.util.Map.of("roles", List.of("x"))).sign();
    String[] parts = token.split("\\.");
    ParsedToken parsed = assertInstanceOf(ParsedToken.Ok.class, ParsedToken.parse(token, FP)).token();

    byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
    StrictJsonAgainstNimbusTest.assertSameValue(StrictJsonAgainstNimbusTest.nimbus(payload), parsed.claims(), "$", payload);
    JWSHeader nimbusHeader = JWSHeader.parse(new Base64URL(parts[0]));
    assertEquals(nimbusHeader.toJSONObject(), parsed.header().toJSONObject());
    assertEquals(parts[0], parsed.header().toBase64URL().toString());
    assertEquals(TestTokens.ISSUER, parsed.issuer());
    assertInstanceOf(Long.class, parsed.claims().get("exp"));
  }

  @Test
  void aHeaderWithADuplicateKeyInsideAnObjectIsMalformed() {
    String payload = b64("{\"iss\":\"" + TestTokens.ISSUER + "\"}");
    // Nimbus kept the last "kty" of a nested object; the header is refused outright now.
    String header = b64("{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"kty\":\"EC\"}}");
    AuthFailure f = failure(header + "." + payload + ".AAAA");
    assertEquals(FailureCodes.MALFORMED, f.code());
    assertEquals("token fp0: header is not a UTF-8 JSON object without duplicate keys", f.detail());
  }

  @Test
  void aPayloadWithADuplicateClaimInsideAnObjectIsMalformed() {
    String header = b64("{\"alg\":\"RS256\"}");
    String payload = b64("{\"iss\":\"" + TestTokens.ISSUER + "\",\"realm_access\":{\"roles\":[\"user\"],\"roles\":[\"admin\"]}}");
    AuthFailure f = failure(header + "." + payload + ".AAAA");
    assertEquals(FailureCodes.MALFORMED, f.code());
    assertEquals("token fp0: payload is not a UTF-8 JSON object without duplicate keys", f.detail());
  }

  @Test
  void aHeaderThatIsNotUtf8IsMalformedWithTheSameWords() {
    String header = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {'{', '"', 'a', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'});
    assertEquals("token fp0: header is not a UTF-8 JSON object without duplicate keys", failure(header + "." + b64("{}") + ".AAAA").detail());
  }

  @Test
  void aPayloadWithAnInfiniteNumberIsMalformedWithTheSameWords() {
    String token = b64("{\"alg\":\"RS256\"}") + "." + b64("{\"exp\":1e999}") + ".AAAA";
    assertEquals("token fp0: payload is not a UTF-8 JSON object without duplicate keys", failure(token).detail());
  }
}
