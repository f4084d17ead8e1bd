package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.Identity;
import gatehouse.authn.Scheme;
import gatehouse.authn.VerifiedClaims;
import gatehouse.config.AccessLogConfig.Format;
import gatehouse.pipeline.Outcome;
import gatehouse.pipeline.Rejection;
import gatehouse.pipeline.RequestHead;
import gatehouse.secret.Secret;
import gatehouse.trace.RequestTracing;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessLogTest {
  private static final String TIME = "2026-11-29T01:25:49.998Z";
  private static final Clock CLOCK = Clock.fixed(Instant.parse(TIME), ZoneOffset.UTC);
  private static final String PREFIX = TIME + " INFO  gatehouse.access ";
  private final CapturedTarget target = new CapturedTarget();
  private final AccessLog log = accessLog(Format.LOGFMT);
  private final AccessLog json = accessLog(Format.JSON);

  private AccessLog accessLog(Format format) {
    return new AccessLog(format, new AccessLogWriter(target, Duration.ofMillis(5), CLOCK), Optional.of("api_key"), CLOCK, false);
  }

  @AfterEach
  void close() {
    log.close();
    json.close();
  }

  private static String fp(String secret) {
    return new Secret(secret).fingerprint();
  }

  @Test
  void apiKeyQueryValuesAreRedactedToTheirFingerprintInEverySpelling() {
    assertEquals("/a?x=1&api_key=[redacted:" + fp("k1") + "]&y=2", log.redact("/a?x=1&api_key=k1&y=2"));
    assertEquals("/a?api%5Fkey=[redacted:" + fp("k1") + "]", log.redact("/a?api%5Fkey=k1"));
    assertEquals("/a?api_key=[redacted:" + fp("1") + "]&api_key=[redacted:" + fp("2") + "]", log.redact("/a?api_key=1&api_key=2"));
    assertEquals("/a", log.redact("/a"));
  }

  /** Issue 17: only the exact {@code api_key=} was redacted; these were logged whole. */
  @ParameterizedTest
  @ValueSource(strings = {"/a?API_KEY={}", "/a?Api_Key={}", "/a?api_key[]={}", "/a?api_key[0]={}", "/a?x=1;api_key={}",
      "/a?x=1;API-KEY={}&y=2", "/a?apiKey={}", "/a?api.key={}", "/a?api+key={}", "/a?%61pi_key={}", "/a?api_key%5B%5D={}",
      "/a;api_key={}", "/a?x=1#api_key={}"})
  void apiKeyQueryValuesAreRedactedWhateverTheSpellingOfTheName(String template) {
    String secret = "s3cretkeyvalue";
    String line = log.redact(template.replace("{}", secret));
    assertFalse(line.contains(secret), line);
    assertTrue(line.contains("=[redacted:" + fp(secret) + "]"), line);
  }

  /** Issue 17: {@code ?access_token=} (RFC 6750 section 2.3) was logged whole. */
  @Test
  void anAccessTokenInTheQueryIsRedactedToItsFingerprint() {
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    assertEquals("/a?access_token=[redacted:" + fp(jwt) + "]&x=1", log.redact("/a?access_token=" + jwt + "&x=1"));
    assertEquals("/a?ACCESS_TOKEN=[redacted:" + fp("opaque") + "]", log.redact("/a?ACCESS_TOKEN=opaque"));
  }

  @Test
  void keysAndJwtsAreRedactedByTheirShapeAnywhereInTheTarget() {
    String key = "gkey_7kT2abcdefghijklmnopqrstuvwxyz0123456789ABQx81aZ";
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    assertEquals("/api/[redacted:" + fp(key) + "]/x", log.redact("/api/" + key + "/x"));
    assertEquals("/api/x?q=[redacted:" + fp(jwt) + "]&y=1", log.redact("/api/x?q=" + jwt + "&y=1"));
    assertEquals("/api/x?q=[redacted:" + fp(key) + "]", log.redact("/api/x?q=" + key.replace("_", "%5F")));
  }

  @Test
  void latencyIsWrittenInMillisecondsWithTwoDecimals() {
    RequestHead head = head("GET", "/x", "h", MultiMap.caseInsensitiveMultiMap());
    Outcome rejected = new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty());
    assertEquals(PREFIX + "id=1 trace=" + TRACE + " method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=1.05",
        log.line("1", head, rejected, Optional.empty(), 1_049_999));
    assertEquals(PREFIX + "id=1 trace=" + TRACE + " method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=12.30",
        log.line("1", head, rejected, Optional.empty(), 12_300_000));
  }

  @Test
  void aRecordedRequestIsOneLineOnTheTarget() {
    RequestHead head = head("GET", "/x?api_key=k1", "h", MultiMap.caseInsensitiveMultiMap());
    log.record("7", head, new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty()), Optional.empty(), 1_000_000);
    log.close();
    assertEquals(PREFIX + "id=7 trace=" + TRACE + " method=GET target=\"/x?api_key=[redacted:" + fp("k1") + "]\" outcome=rejected status=404 error=no_route"
        + " latency_ms=1.00\n", target.text());
  }

  @Test
  void byDefaultLinesGoToStderrAsTheyDidThroughLogback() {
    java.io.PrintStream originalErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, false, java.nio.charset.StandardCharsets.UTF_8));
    try {
      AccessLog stderr = AccessLog.open(gatehouse.config.AccessLogConfig.defaults(), Optional.empty(), CLOCK);
      stderr.record("9", head("GET", "/x", "h", MultiMap.caseInsensitiveMultiMap()),
          new Outcome.Reject(new Rejection.NoRoute(), Optional.empty(), Optional.empty()), Optional.empty(), 1_000_000);
      stderr.close();
    } finally {
      System.setErr(originalErr);
    }
    assertEquals(PREFIX + "id=9 trace=" + TRACE + " method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=1.00\n",
        err.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Every string field of a JSON line decodes to the text of its logfmt field; numbers are numbers. */
  @Test
  void aJsonLineParsesWithJacksonAndCarriesTheLogfmtFieldsText() {
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    RequestHead head = head("GET\n", "/admin/x y\"\\\u0001?api_key=k1&\u00e9=\u2028", "h", MultiMap.caseInsensitiveMultiMap());
    Identity alice = new Identity("al\"ice \\ \u00e9\n", Scheme.JWT, "corp", Set.of("user"), Set.of(), VerifiedClaims.NONE, Optional.empty());
    Outcome.Reject forbidden = new Outcome.Reject(new Rejection.Forbidden("missing_role", "a required role is missing", true), Optional.empty(),
        Optional.of(fp(token)), Optional.of(alice));
    String logfmt = log.line("1", head, forbidden, Optional.empty(), 1_000_000);
    JsonObject line = new JsonObject(json.line("1", head, forbidden, Optional.empty(), 1_000_000));
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("time", TIME);
    expected.put("id", "1");
    expected.put("trace", TRACE);
    expected.put("method", "GET\\x0a");
    expected.put("target", AccessLog.safe(log.redact(head.rawTarget())));
    expected.put("scheme", "jwt");
    expected.put("issuer", "corp");
    expected.put("subject", "al\\x22ice \\x5c \u00e9\\x0a");
    expected.put("credential", fp(token));
    expected.put("outcome", "rejected");
    expected.put("status", 403);
    expected.put("error", "missing_role");
    expected.put("latency_ms", 1.0);
    assertEquals(expected, line.getMap());
    assertEquals(PREFIX + "id=1 trace=" + TRACE + " method=GET\\x0a target=\"" + expected.get("target") + "\" scheme=jwt issuer=corp subject=\"" + expected.get("subject")
        + "\" credential=" + fp(token) + " outcome=rejected status=403 error=missing_role latency_ms=1.00", logfmt);
  }

  /** Issue 18: a 403 line named no one; it names the verified subject, and the credential only by fingerprint. */
  @Test
  void aForbiddenLineNamesTheRefusedSubjectAndNeverTheCredential() {
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    RequestHead head = head("GET", "/admin/x", "h", MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token));
    Identity alice = new Identity("alice", Scheme.JWT, "corp", Set.of("user"), Set.of(), VerifiedClaims.NONE, Optional.empty());
    Outcome forbidden = new Outcome.Reject(new Rejection.Forbidden("missing_role", "a required role is missing", true), Optional.empty(),
        Optional.of(fp(token)), Optional.of(alice));
    String line = log.line("1", head, forbidden, Optional.empty(), 1_000_000);
    assertEquals(PREFIX + "id=1 trace=" + TRACE + " method=GET target=\"/admin/x\" scheme=jwt issuer=corp subject=\"alice\" credential=" + fp(token)
        + " outcome=rejected status=403 error=missing_role latency_ms=1.00", line);
    assertFalse(line.contains(token));
  }

  @Test
  void longValuesAreCutAt256CharactersCountingEscapes() {
    assertEquals("a".repeat(256) + "...", AccessLog.safe("a".repeat(300)));
    assertEquals("a".repeat(256), AccessLog.safe("a".repeat(256)));
    assertEquals("\\x0a".repeat(64), AccessLog.safe("\n".repeat(64)));
    assertEquals("-", AccessLog.safe(null));
  }

  @Test
  void controlCharactersAndQuotesCannotForgeLogFields() {
    assertEquals("a\\x0a status=200 \\x22", AccessLog.safe("a\n status=200 \""));
  }

  /** The trace id of every head here: continued from a trusted caller, so the lines are fixed. */
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  static RequestHead head(String method, String target, String host, MultiMap headers) {
    MultiMap caller = MultiMap.caseInsensitiveMultiMap().add("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
    return new RequestHead(method, target, host, headers, Optional.empty(), "unknown",
        RequestTracing.CONTEXT_ONLY.start(caller, true, method));
  }
}
