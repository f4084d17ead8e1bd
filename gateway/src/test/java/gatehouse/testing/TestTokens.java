package gatehouse.testing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds compact JWS tokens for tests, including broken ones. Defaults: {@code iss} {@link
 * #ISSUER}, {@code aud} {@link #AUDIENCE}, {@code sub} alice, {@code iat} now, {@code exp} now + 5
 * minutes, header {@code alg} from the key and {@code kid} the key's.
 *
 * <pre>{@code
 * String token = TestTokens.signedBy(TestKeys.rsa(), clock).claim("role", "admin").sign();
 * }</pre>
 */
public final class TestTokens {
  public static final String ISSUER = "https://issuer.test";
  public static final String AUDIENCE = "api";

  private final TestKeys.TestKey key;
  private final Map<String, Object> header = new LinkedHashMap<>();
  private final Map<String, Object> claims = new LinkedHashMap<>();
  private JWSAlgorithm alg;
  private String rawHeader;
  private String rawPayload;

  private TestTokens(TestKeys.TestKey key, Clock clock) {
    this.key = key;
    this.alg = key.defaultAlg();
    if (key.kid() != null) header.put("kid", key.kid());
    long now = clock.instant().getEpochSecond();
    claims.put("iss", ISSUER);
    claims.put("aud", AUDIENCE);
    claims.put("sub", "alice");
    claims.put("iat", now);
    claims.put("exp", now + Duration.ofMinutes(5).toSeconds());
  }

  public static TestTokens signedBy(TestKeys.TestKey key, Clock clock) {
    return new TestTokens(key, clock);
  }

  /** Wraps a token as the credential the extractor would produce. */
  public static Credential.BearerToken bearer(String token) {
    return new Credential.BearerToken(new Secret(token));
  }

  public TestTokens alg(JWSAlgorithm alg) {
    this.alg = alg;
    return this;
  }

  public TestTokens kid(String kid) {
    if (kid == null) header.remove("kid");
    else header.put("kid", kid);
    return this;
  }

  public TestTokens noKid() {
    return kid(null);
  }

  /** Sets a header parameter ({@code alg} is set with {@link #alg}); null removes it. */
  public TestTokens header(String name, Object value) {
    if (value == null) header.remove(name);
    else header.put(name, value);
    return this;
  }

  /** Sets a claim; null removes it. */
  public TestTokens claim(String name, Object value) {
    if (value == null) claims.remove(name);
    else claims.put(name, value);
    return this;
  }

  public TestTokens expiresAt(long epochSecond) {
    return claim("exp", epochSecond);
  }

  /** Uses this exact JSON text as the header (alg inside it is what counts). */
  public TestTokens rawHeader(String json) {
    this.rawHeader = json;
    return this;
  }

  /** Uses this exact JSON text as the payload. */
  public TestTokens rawPayload(String json) {
    this.rawPayload = json;
    return this;
  }

  /** {@code header.payload}, unsigned. */
  public String signingInput() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg.getName());
    h.putAll(header);
    String headerJson = rawHeader != null ? rawHeader : JSONObjectUtils.toJSONString(h);
    String payloadJson = rawPayload != null ? rawPayload : JSONObjectUtils.toJSONString(claims);
    return b64(headerJson) + "." + b64(payloadJson);
  }

  /** The signed compact token. */
  public String sign() {
    String input = signingInput();
    return input + "." + Base64URL.encode(key.sign(alg, input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The token with this signature instead of a real one. */
  public String withSignature(byte[] signature) {
    return signingInput() + "." + Base64URL.encode(signature);
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The payload of {@code token} replaced by {@code claims}, signature kept: a tampered token. */
  public static String tamper(String token, Map<String, Object> claims) {
    List<String> parts = List.of(token.split("\\."));
    return parts.get(0) + "." + b64(JSONObjectUtils.toJSONString(claims)) + "." + parts.get(2);
  }
}
