package gatehouse.authn.jwt;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reading a typical RS256 access token before its signature is checked: the whole {@link
 * ParsedToken#parse}, and its JSON step (both segments, from base64url) with {@link StrictJson}
 * against the Nimbus step it replaced, in one run so that both see the same machine. Run with
 * {@code bench/jmh.sh ParsedToken}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParsedTokenBenchmark {
  static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"2026-05-rsa-signing\"}";
  static final String CLAIMS = "{\"iss\":\"https://idp.example.com/realms/main\",\"sub\":\"6f1c2e0a-4b7d-4c1e-9a55-0d9e3b1f7a42\","
      + "\"aud\":[\"https://api.example.com\",\"orders\"],\"exp\":1798761600,\"iat\":1798758000,"
      + "\"scope\":\"openid profile email orders:read orders:write\",\"roles\":[\"admin\",\"ops\",\"viewer\"],"
      + "\"email\":\"alice.example@example.com\",\"jti\":\"a1b2c3d4e5f6\"}";

  private String token;
  private String header;
  private String payload;

  @Setup
  public void setUp() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    byte[] signature = new byte[256];
    new Random(7).nextBytes(signature);
    header = b64.encodeToString(HEADER.getBytes(StandardCharsets.UTF_8));
    payload = b64.encodeToString(CLAIMS.getBytes(StandardCharsets.UTF_8));
    token = header + "." + payload + "." + b64.encodeToString(signature);
    if (!(ParsedToken.parse(token, "bench") instanceof ParsedToken.Ok)) throw new IllegalStateException("the benchmark token does not parse");
    if (!StrictJson.object(Base64.getUrlDecoder().decode(payload)).equals(nimbus(payload))) throw new IllegalStateException("the parsers disagree");
  }

  /** The whole pre-signature read: split, strict base64url, JSON, JWSHeader, iss. */
  @Benchmark
  public ParsedToken.Result parse() {
    return ParsedToken.parse(token, "bench");
  }

  /** The JSON step as ParsedToken does it now. */
  @Benchmark
  public void jsonStrict(Blackhole bh) {
    bh.consume(StrictJson.object(Base64.getUrlDecoder().decode(header)));
    bh.consume(StrictJson.object(Base64.getUrlDecoder().decode(payload)));
  }

  /** The JSON step as ParsedToken did it before StrictJson. */
  @Benchmark
  public void jsonNimbus(Blackhole bh) {
    bh.consume(nimbus(header));
    bh.consume(nimbus(payload));
  }

  /** Of jsonStrict, what the JDK's strict UTF-8 decode costs (Jackson's byte parser would skip it). */
  @Benchmark
  public void utf8Decode(Blackhole bh) throws CharacterCodingException {
    bh.consume(strictUtf8(Base64.getUrlDecoder().decode(header)));
    bh.consume(strictUtf8(Base64.getUrlDecoder().decode(payload)));
  }

  private static CharBuffer strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes));
  }

  private static Map<String, Object> nimbus(String segment) {
    try {
      return JSONObjectUtils.parse(strictUtf8(Base64.getUrlDecoder().decode(segment)).toString());
    } catch (ParseException | CharacterCodingException | RuntimeException e) {
      return null;
    }
  }
}
