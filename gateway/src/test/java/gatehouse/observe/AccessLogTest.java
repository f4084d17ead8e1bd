package gatehouse.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.secret.Secret;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessLogTest {
  private final AccessLog log = new AccessLog(Optional.of("api_key"));

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
    gatehouse.pipeline.RequestHead head = new gatehouse.pipeline.RequestHead("GET", "/x", "h", io.vertx.core.MultiMap.caseInsensitiveMultiMap());
    gatehouse.pipeline.Outcome rejected = new gatehouse.pipeline.Outcome.Reject(new gatehouse.pipeline.Rejection.NoRoute(), Optional.empty(), Optional.empty());
    assertEquals("id=1 method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=1.05",
        log.line("1", head, rejected, Optional.empty(), 1_049_999));
    assertEquals("id=1 method=GET target=\"/x\" outcome=rejected status=404 error=no_route latency_ms=12.30",
        log.line("1", head, rejected, Optional.empty(), 12_300_000));
  }

  /** Issue 18: a 403 line named no one; it names the verified subject, and the credential only by fingerprint. */
  @Test
  void aForbiddenLineNamesTheRefusedSubjectAndNeverTheCredential() {
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    gatehouse.pipeline.RequestHead head = new gatehouse.pipeline.RequestHead("GET", "/admin/x", "h",
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token));
    gatehouse.authn.Identity alice = new gatehouse.authn.Identity("alice", gatehouse.authn.Scheme.JWT, "corp", java.util.Set.of("user"),
        java.util.Set.of(), gatehouse.authn.VerifiedClaims.NONE, Optional.empty());
    gatehouse.pipeline.Outcome forbidden = new gatehouse.pipeline.Outcome.Reject(
        new gatehouse.pipeline.Rejection.Forbidden("missing_role", "a required role is missing", true), Optional.empty(),
        Optional.of(fp(token)), Optional.of(alice));
    String line = log.line("1", head, forbidden, Optional.empty(), 1_000_000);
    assertEquals("id=1 method=GET target=\"/admin/x\" scheme=jwt issuer=corp subject=\"alice\" credential=" + fp(token)
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
}
