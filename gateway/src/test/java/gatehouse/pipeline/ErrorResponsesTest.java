package gatehouse.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.AuthFailure;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
  private static final Rejection[] EVERY_KIND = {
    new Rejection.NoRoute(),
    new Rejection.BadRequest("encoded_slash", "an encoded slash"),
    new Rejection.Unauthenticated(Rejection.Challenge.BEARER, Optional.empty()),
    new Rejection.Forbidden("missing_role", "a role is missing", true),
    new Rejection.RequestLineTooLong(),
    new Rejection.HeadersTooLarge(),
    new Rejection.HeadTimeout(),
    new Rejection.InternalError(),
    new Rejection.RequestTimeout(),
    new Rejection.PayloadTooLarge(1024),
    new Rejection.RateLimited(Duration.ofMillis(1500)),
    new Rejection.BadGateway("upstream_unreachable", "refused"),
    new Rejection.DependencyDown("jwks:main", Duration.ofSeconds(5)),
    new Rejection.LimiterUnavailable("redis timeout", Duration.ofSeconds(5)),
    new Rejection.UpstreamUnavailable("app", Duration.ofMillis(2500)),
    new Rejection.Busy("upstream_busy", Duration.ofSeconds(1)),
    new Rejection.GatewayTimeout(false),
  };

  @Test
  void everyRejectionKindHasAReplyAndThisTestCoversEveryKind() {
    Set<Class<?>> covered = Arrays.stream(EVERY_KIND).map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(Rejection.class.getPermittedSubclasses()), covered);
    int[] statuses = Arrays.stream(EVERY_KIND).mapToInt(r -> ErrorResponses.of(r).status()).toArray();
    assertEquals("[404, 400, 401, 403, 414, 431, 408, 500, 408, 413, 429, 502, 503, 503, 503, 503, 504]", Arrays.toString(statuses));
  }

  @Test
  void missingCredentialGetsABareChallengeAsRfc6750Section31Says() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.Unauthenticated(Rejection.Challenge.BEARER, Optional.empty()));
    assertEquals(Optional.of("Bearer realm=\"gatehouse\""), reply.challenge());
    assertEquals("unauthenticated", reply.code());
  }

  @Test
  void invalidTokenChallengeNamesTheReasonCode() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.Unauthenticated(Rejection.Challenge.BEARER,
        Optional.of(new AuthFailure("expired", "exp 10 minutes ago, token ab12"))));
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"expired\""), reply.challenge());
    assertEquals("invalid_token", reply.code());
    assertEquals("the credential is not valid: expired", reply.message());
  }

  @Test
  void aFailureAboutAClaimNamesItsPathWithRfc6750sCharactersOnly() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.Unauthenticated(Rejection.Challenge.BEARER,
        Optional.of(new AuthFailure("unrepresentable_claim", "log only", Optional.of("[\"https://e.example/名\"]")))));
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"invalid_token\", "
        + "error_description=\"unrepresentable_claim: [%22https://e.example/%E5%90%8D%22]\""), reply.challenge());
    assertEquals("the credential is not valid: unrepresentable_claim: [%22https://e.example/%E5%90%8D%22]", reply.message());
  }

  @Test
  void forbiddenBearerGetsInsufficientScopeChallenge() {
    assertEquals(Optional.of("Bearer realm=\"gatehouse\", error=\"insufficient_scope\", error_description=\"missing_role\""),
        ErrorResponses.of(new Rejection.Forbidden("missing_role", "x", true)).challenge());
    assertEquals(Optional.empty(), ErrorResponses.of(new Rejection.Forbidden("insufficient_scope", "x", false)).challenge());
  }

  @Test
  void retryAfterIsRoundedUpToWholeSeconds() {
    assertEquals(Optional.of(2L), ErrorResponses.of(new Rejection.RateLimited(Duration.ofMillis(1500))).retryAfterSeconds());
    assertEquals(Optional.of(1L), ErrorResponses.of(new Rejection.DependencyDown("x", Duration.ZERO)).retryAfterSeconds());
  }

  @Test
  void aMissingApiKeyIsApiKeyRequiredWithAnApiKeyChallenge() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.Unauthenticated(Rejection.Challenge.API_KEY, Optional.empty()));
    assertEquals(401, reply.status());
    assertEquals("api_key_required", reply.code());
    assertEquals(Optional.of("ApiKey realm=\"gatehouse\""), reply.challenge());
  }

  @Test
  void everyReasonAnApiKeyFailsGetsTheSameReply() {
    Set<ErrorResponses.Reply> replies = Stream.of("unknown", "revoked", "expired", "malformed", "bad_checksum", "too_long", "not_ascii", "not_accepted")
        .map(code -> ErrorResponses.of(new Rejection.Unauthenticated(Rejection.Challenge.API_KEY, Optional.of(new AuthFailure(code, "detail " + code)))))
        .collect(Collectors.toSet());
    assertEquals(Set.of(new ErrorResponses.Reply(401, "invalid_api_key", "the API key is not valid",
        Optional.of("ApiKey realm=\"gatehouse\", error=\"invalid_api_key\""), Optional.empty())), replies);
  }

  @Test
  void aRateLimitedKeyGetsRetryAfterAndTheDraft06RateLimitFields() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.RateLimited(Duration.ofMillis(1200),
        Optional.of(new gatehouse.authn.Quota(60, Duration.ofMinutes(1), 0, Duration.ofSeconds(59).plusMillis(1)))));
    assertEquals(429, reply.status());
    assertEquals(Optional.of(2L), reply.retryAfterSeconds());
    assertEquals(java.util.Map.of("RateLimit-Limit", "60", "RateLimit-Remaining", "0", "RateLimit-Reset", "60", "RateLimit-Policy", "60;w=60"),
        reply.headers());
  }

  @Test
  void anUnavailableRateLimiterIs503WithItsOwnCodeAndRetryAfter() {
    ErrorResponses.Reply reply = ErrorResponses.of(new Rejection.LimiterUnavailable("redis timeout", Duration.ofSeconds(5)));
    assertEquals(new ErrorResponses.Reply(503, "rate_limiter_unavailable", "rate limits cannot be checked right now", Optional.empty(),
        Optional.of(5L)), reply);
  }
}
