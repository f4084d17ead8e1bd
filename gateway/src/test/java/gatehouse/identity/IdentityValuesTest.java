package gatehouse.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gatehouse.authn.ClaimValue;
import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.ConfigLoader;
import gatehouse.config.GatehouseConfig;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import gatehouse.verifier.GatehouseVerifier;
import gatehouse.verifier.IncomingRequest;
import gatehouse.verifier.Verification;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The rule from a verified identity value to header bytes ({@link IdentityValues}, README "Identity
 * headers"), stated as properties over random Unicode values: surrogate pairs and unpaired
 * surrogates, combining marks, NUL, CR and LF, 0x80-0xFF, strings of up to 8 KiB, arrays. The
 * bytes on the wire are modelled as Netty writes a header (one byte per char, {@code ?} above
 * 0xFF), so a rule that let non-ASCII through would show up as a collision here.
 */
class IdentityValuesTest {
  private static final int UNLIMITED = Integer.MAX_VALUE;
  private static final String SECRET = "a-signing-secret-of-at-least-32-bytes!!";
  private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  private static final AtomicLong NONCES = new AtomicLong();

  // --- generators -------------------------------------------------------------------------------

  /** One piece of a string: every kind of character that has broken header encodings somewhere. */
  private static Arbitrary<String> piece() {
    Arbitrary<String> ascii = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofMinLength(1).ofMaxLength(3);
    Arbitrary<String> troublesome = Arbitraries.of("%", "+", ",", " ", "\u0000", "\r", "\n", "\r\n", "\t", "\u007F", "%41", "%2C",
        "%25", "?", "\"", "\\", ";", "=", "&", ":", "A");
    Arbitrary<String> latin1 = Arbitraries.chars().range('\u0080', '\u00FF').map(String::valueOf);
    Arbitrary<String> combining = Arbitraries.chars().range('\u0300', '\u036F').map(String::valueOf);
    Arbitrary<String> bmp = Arbitraries.oneOf(Arbitraries.chars().range('\u0100', '\u2FFF'), Arbitraries.chars().range('\u4E00', '\u9FFF'),
        Arbitraries.chars().range('\uE000', '\uFFFF')).map(String::valueOf);
    Arbitrary<String> named = Arbitraries.of("用", "户", "张", "三", "é", "e\u0301", "\uFEFF", "\uFFFD", "\u2028", "\u00A0");
    Arbitrary<String> supplementary = Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString);
    return Arbitraries.frequencyOf(Tuple.of(6, ascii), Tuple.of(4, troublesome), Tuple.of(2, latin1), Tuple.of(2, combining),
        Tuple.of(3, bmp), Tuple.of(3, named), Tuple.of(2, supplementary));
  }

  /** Valid Unicode strings, mostly short (where collisions hide), sometimes up to 8 KiB. */
  private static Arbitrary<String> strings() {
    Arbitrary<String> shortOnes = piece().list().ofMaxSize(8).map(l -> String.join("", l));
    Arbitrary<String> longOnes = piece().list().ofMinSize(1000).ofMaxSize(3000).map(l -> upTo8KiB(String.join("", l)));
    return Arbitraries.frequencyOf(Tuple.of(30, shortOnes), Tuple.of(1, longOnes));
  }

  private static String upTo8KiB(String s) {
    if (s.length() <= 8192) return s;
    int end = Character.isLowSurrogate(s.charAt(8192)) ? 8191 : 8192;
    return s.substring(0, end);
  }

  private static Arbitrary<Object> scalars() {
    Arbitrary<Object> numbers = Arbitraries.oneOf(Arbitraries.longs().map(Object.class::cast),
        Arbitraries.doubles().map(Object.class::cast), Arbitraries.of(0.5, 1e15, 1e300, -0.0, 42.0, 1e-7));
    return Arbitraries.frequencyOf(Tuple.of(12, strings().map(Object.class::cast)), Tuple.of(2, numbers),
        Tuple.of(1, Arbitraries.of(true, false).map(Object.class::cast)));
  }

  /** A value as an authenticator hands it over: a scalar or an array of scalars. */
  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> arrays = scalars().list().ofMaxSize(5).map(Object.class::cast);
    return Arbitraries.frequencyOf(Tuple.of(3, scalars()), Tuple.of(1, arrays));
  }

  /** Present values the rule cannot carry faithfully. */
  @Provide
  Arbitrary<Object> unrepresentable() {
    Arbitrary<String> lone = Arbitraries.of("\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800");
    Arbitrary<Object> badString = Arbitraries.strings().ofMaxLength(20).flatMap(s -> lone.flatMap(l ->
        Arbitraries.integers().between(0, s.length()).map(at -> (Object) (s.substring(0, at) + l + s.substring(at)))));
    Arbitrary<Object> badArray = Arbitraries.oneOf(badString, Arbitraries.of("object", "array", "empty array", "null")).list().ofMinSize(1)
        .ofMaxSize(1).flatMap(bad -> scalars().list().ofMaxSize(4).flatMap(list -> Arbitraries.integers().between(0, list.size()).map(at -> {
          Object kind = bad.get(0);
          Object element = switch (String.valueOf(kind)) {
            case "object" -> Map.of("a", 1L);
            case "array" -> List.of("x");
            case "empty array" -> List.of();
            case "null" -> null;
            default -> kind;
          };
          List<Object> out = new ArrayList<>(list);
          out.add(at, element);
          return (Object) out;
        })));
    Arbitrary<Object> object = strings().map(s -> (Object) Map.of("name", s));
    Arbitrary<Object> notFinite = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY).map(Object.class::cast);
    return Arbitraries.oneOf(badString, badArray, object, notFinite);
  }

  // --- properties -------------------------------------------------------------------------------

  @Property(tries = 3000)
  void everyValueIsSentAsVisibleAsciiThatBothDecodersTurnBackIntoTheValue(@ForAll("values") Object value) {
    String sent = encoded(value, UNLIMITED);
    for (int i = 0; i < sent.length(); i++) {
      char c = sent.charAt(i);
      assertTrue(c >= 0x21 && c <= 0x7E, () -> "char " + (int) c + " in " + sent);
    }
    List<String> expected = canonical(value);
    List<String> parts = List.of(sent.split(",", -1));
    assertEquals(expected, parts.stream().map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8)).toList(), "java.net.URLDecoder");
    assertEquals(expected, parts.stream().map(IdentityValuesTest::strictDecode).toList(), "strict percent-decoder");
    assertEquals(expected, parts.stream().map(GatehouseVerifier::decodeIdentityValue).toList(), "the verifier's decode");
    Statistics.collect(value instanceof List ? "array" : value instanceof String ? "string" : "number or boolean",
        sent.length() > 4096 ? "over 4 KiB encoded" : "short");
  }

  /**
   * Values and their near neighbours (another non-Latin-1 character in the same place, a comma
   * inside an element moved between elements, {@code +} for a space, an escape spelled out,
   * composed and decomposed accents) never share wire bytes unless the rule says they mean the same.
   */
  @Property(tries = 2000)
  void distinctValuesNeverShareWireBytes(@ForAll("values") Object value, @ForAll("values") Object other) {
    List<Object> all = new ArrayList<>(List.of(value, other));
    all.addAll(neighbours(value));
    Map<String, List<String>> byWire = new HashMap<>();
    Map<String, Object> firstByWire = new HashMap<>();
    for (Object v : all) {
      IdentityValues.Encoding e = IdentityValues.encode(v, UNLIMITED);
      if (!(e instanceof IdentityValues.Encoding.Encoded enc)) continue; // a neighbour may be unrepresentable
      String wire = wire(enc.ascii());
      List<String> before = byWire.putIfAbsent(wire, canonical(v));
      firstByWire.putIfAbsent(wire, v);
      if (before != null && !before.equals(canonical(v))) {
        fail("two values share the wire bytes " + wire + ": " + show(firstByWire.get(wire)) + " and " + show(v));
      }
    }
  }

  @Property(tries = 1000)
  void unrepresentableValuesAreRefusedNamingTheClaimNeverTheValue(@ForAll("unrepresentable") Object value) {
    assertInstanceOf(IdentityValues.Encoding.Unrepresentable.class, IdentityValues.encode(value, UNLIMITED), () -> show(value));
    HeaderPlan plan = headers(65_536).plan(new Credential.BearerToken(new Secret("t")),
        identity("alice", Map.of("X-User-Id", new ClaimValue("sub", "alice"), "X-User-Email", new ClaimValue("email", value))));
    HeaderPlan.Refused refused = assertInstanceOf(HeaderPlan.Refused.class, plan);
    assertEquals(IdentityHeaders.UNREPRESENTABLE_CLAIM, refused.failure().code());
    assertEquals(Optional.of("email"), refused.failure().claim());
    assertTrue(WHY.matcher(refused.failure().detail()).matches(), refused.failure().detail());
  }

  /** Every reason a refusal gives: fixed words, so no part of a value can reach the client or the log. */
  private static final Pattern WHY = Pattern.compile("claim email for X-User-Email cannot be carried faithfully: (an object"
      + "|an array holding (an object|an array|null)|a string that is not valid Unicode \\(an unpaired surrogate\\)"
      + "|a number that is not finite|longer than identity\\.max_header_value \\(\\d+ bytes\\) once encoded)");

  @Property(tries = 1000)
  void theLimitCountsEncodedBytes(@ForAll("values") Object value, @ForAll @IntRange(min = 0, max = 20_000) int max) {
    String unlimited = encoded(value, UNLIMITED);
    IdentityValues.Encoding limited = IdentityValues.encode(value, max);
    if (unlimited.length() <= max) assertEquals(new IdentityValues.Encoding.Encoded(unlimited), limited);
    else assertInstanceOf(IdentityValues.Encoding.Unrepresentable.class, limited);
  }

  /**
   * The whole stage: plan the headers, apply them, sign with RFC 9421 as the gateway does, carry
   * the head over the wire as Netty writes it, and verify with the Java verifier, which gives back
   * every value.
   */
  @Property(tries = 500)
  void theSignatureOverTheSentBytesVerifiesAndTheBackendRecoversEveryValue(@ForAll("values") Object user,
      @ForAll("values") Object email, @ForAll("values") Object groups) {
    GatehouseConfig config = config(65_536);
    Map<String, ClaimValue> values = Map.of("X-User-Id", new ClaimValue("sub", user), "X-User-Email", new ClaimValue("email", email),
        "X-Groups", new ClaimValue("groups", groups));
    HeaderPlan plan = new IdentityHeaders(config).plan(new Credential.BearerToken(new Secret("t")), identity("alice", values));
    if (plan instanceof HeaderPlan.Refused r) {
      assertTrue(r.failure().detail().contains("longer than identity.max_header_value"), r.failure().detail());
      return;
    }
    MultiMap head = MultiMap.caseInsensitiveMultiMap().add("X-User-Id", "spoofed").add("Accept", "*/*");
    ((HeaderPlan.Planned) plan).edits().accept(head);
    List<String> covered = UpstreamSigners.identityHeaderNames(config);
    UpstreamSigner signer = HttpMessageSigner.hmac("k1", SECRET.getBytes(StandardCharsets.UTF_8), covered, OptionalLong.empty(),
        Clock.fixed(NOW, ZoneOffset.UTC), () -> String.format("nonce-%016d", NONCES.incrementAndGet()));
    signer.sign("GET", "orders.internal:8080", "/orders/7?x=1", head::getAll, Optional.empty(), Optional.empty()).forEach(head::set);

    Map<String, List<String>> received = new LinkedHashMap<>();
    received.put("Host", List.of("orders.internal:8080"));
    head.forEach((name, v) -> received.computeIfAbsent(name, n -> new ArrayList<>()).add(wire(v)));
    Verification v = GatehouseVerifier.httpSignatures().hmacSha256("k1", SECRET.getBytes(StandardCharsets.UTF_8))
        .identityHeaders(covered.toArray(new String[0])).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
        .verify(new IncomingRequest("GET", "/orders/7?x=1", received));
    Verification.Verified ok = assertInstanceOf(Verification.Verified.class, v, v::toString);
    Map<String, Object> sent = Map.of("x-user-id", user, "x-user-email", email, "x-groups", groups);
    sent.forEach((name, value) -> {
      List<String> expected = canonical(value);
      String got = ok.identity().getOrDefault(name, "");
      if (expected.equals(List.of(""))) {
        assertEquals("", got, name + ": an empty value sends no header");
      } else {
        assertEquals(expected, Arrays.stream(got.split(",", -1)).map(GatehouseVerifier::decodeIdentityValue).toList(), name);
      }
    });
  }

  // --- the README's examples --------------------------------------------------------------------

  @Test
  void theReadmeExamplesAreExact() {
    Map<Object, String> examples = new LinkedHashMap<>();
    examples.put("alice", "alice");
    examples.put("alice@example.com", "alice@example.com");
    examples.put("José", "Jos%C3%A9");
    examples.put("用户A", "%E7%94%A8%E6%88%B7A");
    examples.put("张三A", "%E5%BC%A0%E4%B8%89A");
    examples.put("Ada Lovelace", "Ada%20Lovelace");
    examples.put("a+b=c", "a%2Bb=c");
    examples.put("100%", "100%25");
    examples.put("line\r\nX-Admin: yes", "line%0D%0AX-Admin:%20yes");
    examples.put("😀", "%F0%9F%98%80");
    examples.put(List.of("a,b", "c"), "a%2Cb,c");
    examples.put(List.of("a", "b,c"), "a,b%2Cc");
    examples.put(List.of("admin", "ops"), "admin,ops");
    examples.put(42L, "42");
    examples.put(0.5, "0.5");
    examples.put(true, "true");
    examples.forEach((value, sent) -> assertEquals(sent, encoded(value, 4096), () -> show(value)));
  }

  @Test
  void aPlainAsciiValueIsSentAsTheSameStringObject() {
    String plain = "orders-client@example.com";
    assertTrue(encoded(plain, 4096) == plain, "no copy on the common path");
  }

  @Test
  void aSubjectThatIsNotValidUnicodeIsRefusedEvenWhenNoHeaderCarriesIt() {
    HeaderPlan plan = headers(4096).plan(new Credential.BearerToken(new Secret("t")), identity("a\uD800", Map.of()));
    HeaderPlan.Refused refused = assertInstanceOf(HeaderPlan.Refused.class, plan);
    assertEquals(Optional.of("sub"), refused.failure().claim());
  }

  @Test
  void emptyValuesSendNoHeaderLikeAMissingClaim() {
    HeaderPlan plan = headers(4096).plan(new Credential.BearerToken(new Secret("t")), identity("alice",
        Map.of("X-User-Id", new ClaimValue("sub", ""), "X-User-Email", new ClaimValue("email", List.of()),
            "X-Groups", new ClaimValue("groups", List.of("")))));
    assertEquals(Map.of(), assertInstanceOf(HeaderPlan.Planned.class, plan).edits().set());
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static String encoded(Object value, int max) {
    IdentityValues.Encoding e = IdentityValues.encode(value, max);
    if (e instanceof IdentityValues.Encoding.Encoded enc) return enc.ascii();
    throw new AssertionError(show(value) + " was refused: " + ((IdentityValues.Encoding.Unrepresentable) e).why());
  }

  /**
   * What a value means, by the rule's documented equivalences: the list of its elements' texts (a
   * scalar is a one-element list, a number or boolean its JSON text), and every empty value the
   * same as {@code [""]}.
   */
  static List<String> canonical(Object value) {
    List<String> texts = new ArrayList<>();
    if (value instanceof List<?> list) for (Object element : list) texts.add(text(element));
    else texts.add(text(value));
    return texts.isEmpty() ? List.of("") : texts;
  }

  private static String text(Object scalar) {
    if (scalar instanceof String s) return s;
    if (scalar instanceof Double d) return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    return scalar.toString();
  }

  /** Near neighbours of {@code value} that a weaker rule would send as the same bytes. */
  private static List<Object> neighbours(Object value) {
    List<Object> out = new ArrayList<>();
    if (value instanceof String s) {
      out.add(s.replaceAll("[^\\x00-\\xFF]", "\u4E00"));
      out.add(s.replaceAll("[^\\x00-\\x7F]", "?"));
      out.add(s.replace(' ', '+'));
      out.add(s.replace("+", "%2B").replace(" ", "%20").replace(",", "%2C"));
      out.add(Normalizer.normalize(s, Normalizer.Form.NFC));
      out.add(Normalizer.normalize(s, Normalizer.Form.NFD));
      out.add(s.replaceAll("[\\x00-\\x1F\\x7F]", ""));
      out.add(List.of(s.split(",", -1)));
      out.add(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    } else if (value instanceof List<?> list) {
      List<String> texts = list.stream().map(IdentityValuesTest::text).toList();
      out.add(String.join(",", texts));
      out.add(List.of(String.join(",", texts).split(",", -1)));
      out.add(texts);
    }
    return out;
  }

  /** The bytes Netty writes for a header value, one per char ({@code ?} above 0xFF), read back as a backend does. */
  private static String wire(String headerValue) {
    StringBuilder b = new StringBuilder(headerValue.length());
    for (int i = 0; i < headerValue.length(); i++) {
      char c = headerValue.charAt(i);
      b.append(c > 0xFF ? '?' : c);
    }
    return b.toString();
  }

  /**
   * A decoder that accepts only what the rule produces: visible ASCII, no raw {@code +} or
   * {@code ,} inside an element, escapes of two upper-case hex digits, strict UTF-8.
   */
  static String strictDecode(String part) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '+' || c == ',') throw new AssertionError("char " + (int) c + " in " + part);
      if (c != '%') {
        bytes.write(c);
        continue;
      }
      if (i + 2 >= part.length() || HEX.indexOf(part.charAt(i + 1)) < 0 || HEX.indexOf(part.charAt(i + 2)) < 0) {
        throw new AssertionError("bad escape at " + i + " in " + part);
      }
      bytes.write(HEX.indexOf(part.charAt(i + 1)) << 4 | HEX.indexOf(part.charAt(i + 2)));
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("not UTF-8: " + part, e);
    }
  }

  private static final String HEX = "0123456789ABCDEF";

  private static String show(Object value) {
    if (value instanceof String s) return "\"" + s.codePoints().limit(40).mapToObj(cp -> cp >= 0x21 && cp < 0x7F
        ? Character.toString(cp) : String.format("\\u{%X}", cp)).reduce("", String::concat) + (s.length() > 40 ? "...\"" : "\"");
    if (value instanceof List<?> list) return list.stream().map(IdentityValuesTest::show).toList().toString();
    return String.valueOf(value);
  }

  private static Identity identity(String subject, Map<String, ClaimValue> headers) {
    Map<String, Object> claims = new java.util.HashMap<>();
    headers.values().forEach(v -> claims.put(v.source(), v.value()));
    return new Identity(subject, Scheme.JWT, "main", Set.of(), Set.of(), VerifiedClaims.of(claims), Optional.empty());
  }

  private static IdentityHeaders headers(int max) {
    return new IdentityHeaders(config(max));
  }

  private static GatehouseConfig config(int max) {
    try {
      return ConfigLoader.parse("gatehouse.yaml", String.join("\n",
          "upstreams: {app: {url: \"http://127.0.0.1:9\"}}",
          "identity: {claims: {sub: X-User-Id, email: X-User-Email, groups: X-Groups}, max_header_value: " + max + "}",
          "routes:",
          "  - {match: {prefix: /}, upstream: app}",
          ""), Path.of("."), name -> null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
