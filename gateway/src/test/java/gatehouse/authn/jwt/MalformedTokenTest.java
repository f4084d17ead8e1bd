package gatehouse.authn.jwt;

import static gatehouse.authn.jwt.Jwt.assertRejected;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import gatehouse.authn.Authentication;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed input of every kind is a {@code Rejected} value: never an exception, never a 500. */
class MalformedTokenTest {
  private static final MutableClock clock = MutableClock.start();
  private static Vertx vertx;
  private static JwtAuthenticator authenticator;

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
    authenticator = JwtAuthenticator.create(vertx, List.of(Jwt.jwksProvider(TestKeys.rsa()).build()), clock, Authenticators.ENGINE);
  }

  @AfterAll
  static void stop() {
    authenticator.close();
    Jwt.await(vertx.close());
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The same bytes with the unused low bits of the last character set: decoders that ignore them accept it. */
  private static String nonCanonical(String segment) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(segment.charAt(segment.length() - 1));
    int unusedBits = segment.length() % 4 == 2 ? 4 : 2;
    return segment.substring(0, segment.length() - 1) + alphabet.charAt(last | ((1 << unusedBits) - 1));
  }

  static Stream<Arguments> malformed() {
    String good = TestTokens.signedBy(TestKeys.rsa(), clock).sign();
    String[] p = good.split("\\.");
    String header = p[0];
    String payload = p[1];
    String sig = p[2];
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("one segment", "abc"),
        Arguments.of("two segments", header + "." + payload),
        Arguments.of("four segments", good + ".x"),
        Arguments.of("only dots", ".."),
        Arguments.of("empty header", "." + payload + "." + sig),
        Arguments.of("bad base64url in header", header.substring(0, 5) + "!" + header.substring(6) + "." + payload + "." + sig),
        Arguments.of("bad base64url in payload", header + "." + payload + "*." + sig),
        Arguments.of("bad base64url in signature", header + "." + payload + "." + sig + "$"),
        Arguments.of("base64 padding", header + "." + payload + "=." + sig),
        Arguments.of("standard base64 alphabet", header + "." + payload.replace('-', '+').replace('_', '/') + "+/." + sig),
        Arguments.of("whitespace inside", header + ". " + payload + "." + sig),
        Arguments.of("impossible base64 length", header + ".AAAAA." + sig),
        Arguments.of("non-canonical base64 (trailing bits set)", header + "." + payload + "." + nonCanonical(sig)),
        Arguments.of("header not JSON", b64("not json") + "." + payload + "." + sig),
        Arguments.of("header a JSON array", b64("[\"RS256\"]") + "." + payload + "." + sig),
        Arguments.of("header a JSON string", b64("\"RS256\"") + "." + payload + "." + sig),
        Arguments.of("header with duplicate alg", b64("{\"alg\":\"RS256\",\"alg\":\"HS256\"}") + "." + payload + "." + sig),
        Arguments.of("header with trailing text", b64("{\"alg\":\"RS256\"} x") + "." + payload + "." + sig),
        Arguments.of("header not UTF-8", b64(new byte[] {'{', '"', 'a', (byte) 0xff, '"', ':', '1', '}'}) + "." + payload + "." + sig),
        Arguments.of("header without alg", b64("{\"kid\":\"rsa-0\"}") + "." + payload + "." + sig),
        Arguments.of("alg a number", b64("{\"alg\":256}") + "." + payload + "." + sig),
        Arguments.of("kid a number", b64("{\"alg\":\"RS256\",\"kid\":7}") + "." + payload + "." + sig),
        Arguments.of("crit not an array", b64("{\"alg\":\"RS256\",\"crit\":\"exp\"}") + "." + payload + "." + sig),
        Arguments.of("payload not JSON", header + "." + b64("hello") + "." + sig),
        Arguments.of("payload JSON null", header + "." + b64("null") + "." + sig),
        Arguments.of("payload a JSON array", header + "." + b64("[1,2]") + "." + sig),
        Arguments.of("payload with duplicate sub", header + "." + b64("{\"iss\":\"" + TestTokens.ISSUER + "\",\"sub\":\"a\",\"sub\":\"b\"}") + "." + sig),
        Arguments.of("payload with duplicate iss", header + "." + b64("{\"iss\":\"x\",\"iss\":\"" + TestTokens.ISSUER + "\"}") + "." + sig),
        Arguments.of("payload with NaN", header + "." + b64("{\"exp\":NaN}") + "." + sig),
        Arguments.of("payload with huge exponent", header + "." + b64("{\"exp\":1e400}") + "." + sig),
        Arguments.of("payload with unquoted keys", header + "." + b64("{exp:1}") + "." + sig),
        Arguments.of("iss an object", header + "." + b64("{\"iss\":{\"a\":1}}") + "." + sig));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTokenIsRejectedAsMalformed(String why, String token) {
    assertRejected(FailureCodes.MALFORMED, Jwt.authenticate(authenticator, token), token);
  }

  @Test
  void encryptedTokenIsRejectedAsUnsupportedTokenType() {
    String jwe = b64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAA.AAAA.AAAA";
    assertRejected(FailureCodes.UNSUPPORTED_TOKEN_TYPE, Jwt.authenticate(authenticator, jwe), jwe);
    String threeSegmentsWithEnc = b64("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAA";
    assertRejected(FailureCodes.UNSUPPORTED_TOKEN_TYPE, Jwt.authenticate(authenticator, threeSegmentsWithEnc), threeSegmentsWithEnc);
  }

  @Test
  void randomInputNeverThrowsAndIsAlwaysRejected() {
    Random random = new Random(42);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";
    String good = TestTokens.signedBy(TestKeys.rsa(), clock).sign();
    for (int i = 0; i < 3000; i++) {
      String token;
      if (i % 2 == 0) {
        StringBuilder sb = new StringBuilder();
        int len = random.nextInt(200);
        for (int j = 0; j < len; j++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        token = sb.toString();
      } else {
        char[] chars = good.toCharArray();
        for (int k = 0; k < 1 + random.nextInt(3); k++) {
          chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        token = new String(chars);
        if (token.equals(good)) continue;
      }
      Authentication answer = Jwt.authenticate(authenticator, token);
      assertInstanceOf(Authentication.Rejected.class, answer, "input #" + i + " answered " + answer);
    }
  }
}
