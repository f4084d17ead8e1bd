package gatehouse.authn.bearer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.authn.AuthFailure;
import gatehouse.authn.Authentication;
import gatehouse.authn.Authenticator;
import gatehouse.credential.Credential;
import gatehouse.secret.Secret;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The routing rule for bearer tokens, with recording stand-ins for the authenticators. */
class BearerAuthenticatorTest {
  private static final String JWT_ISS = "https://jwt.example";
  private static final String AS_ISS = "https://as.example";

  /** Answers a fixed value and records what it was given. */
  private static final class Recording implements Authenticator {
    final String name;
    final Authentication answer;
    final List<String> seen = new ArrayList<>();

    Recording(String name, Authentication answer) {
      this.name = name;
      this.answer = answer;
    }

    @Override
    public Future<Authentication> authenticate(Credential credential) {
      seen.add(credential.secret().reveal());
      return Future.succeededFuture(answer);
    }
  }

  private final Recording jwt = new Recording("jwt", new Authentication.Rejected(new AuthFailure("bad_signature", "")));
  private final Recording first = new Recording("first", new Authentication.Unverifiable("introspection:first"));
  private final Recording second = new Recording("second", new Authentication.Unverifiable("introspection:second"));

  private static String jwtWith(String payloadJson) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
  }

  private BearerAuthenticator both() {
    return (BearerAuthenticator) BearerAuthenticator.of(Optional.of(jwt), Set.of(JWT_ISS), List.of(
        new BearerAuthenticator.Introspector("first", Optional.empty(), first),
        new BearerAuthenticator.Introspector("second", Optional.of(AS_ISS), second))).orElseThrow();
  }

  private Recording routedTo(BearerAuthenticator b, String token) {
    b.authenticate(new Credential.BearerToken(new Secret(token)));
    for (Recording r : List.of(jwt, first, second)) {
      if (!r.seen.isEmpty()) {
        assertEquals(List.of(token), r.seen, "one authenticator, once");
        return r;
      }
    }
    throw new AssertionError("no authenticator was asked");
  }

  @Test
  void aJwtWhoseIssuerIsAJwtProviderIsVerifiedLocally() {
    assertEquals("jwt", routedTo(both(), jwtWith("{\"iss\":\"" + JWT_ISS + "\",\"sub\":\"a\"}")).name);
  }

  @Test
  void aJwtThatFailsLocalVerificationIsRejectedAndNeverIntrospected() {
    BearerAuthenticator b = both();
    String token = jwtWith("{\"iss\":\"" + JWT_ISS + "\"}");
    Authentication answer = b.authenticate(new Credential.BearerToken(new Secret(token))).result();
    assertInstanceOf(Authentication.Rejected.class, answer);
    assertTrue(first.seen.isEmpty() && second.seen.isEmpty());
  }

  @Test
  void aJwtWhoseIssuerAnIntrospectionProviderClaimsIsIntrospectedByThatProvider() {
    assertEquals("second", routedTo(both(), jwtWith("{\"iss\":\"" + AS_ISS + "\"}")).name);
  }

  @Test
  void anOpaqueTokenGoesToTheFirstIntrospectionProvider() {
    assertEquals("first", routedTo(both(), "2YotnFZFEjr1zCsicMWpAA").name);
  }

  @Test
  void onAMixedSetupAJwtOfAnUnknownIssuerIs401UnknownIssuerWithoutAskingAnyone() {
    Authentication answer = both().authenticate(bearer(jwtWith("{\"iss\":\"https://elsewhere.example\"}"))).result();
    assertEquals("unknown_issuer", ((Authentication.Rejected) answer).failure().code());
    assertTrue(jwt.seen.isEmpty() && first.seen.isEmpty() && second.seen.isEmpty(), "nobody was asked");
  }

  @Test
  void onAMixedSetupAJwtWithoutAnIssuerIsVerifiedLocallyWhichRefusesIt() {
    assertEquals("jwt", routedTo(both(), jwtWith("{\"sub\":\"a\"}")).name);
  }

  @Test
  void withOnlyIntrospectionAFirstProviderThatNamesAnIssuerGetsOnlyItsOwnJwts() {
    BearerAuthenticator b = (BearerAuthenticator) BearerAuthenticator.of(Optional.empty(), Set.of(),
        List.of(new BearerAuthenticator.Introspector("first", Optional.of(AS_ISS), first))).orElseThrow();
    assertEquals("unknown_issuer", ((Authentication.Rejected) b.authenticate(bearer(jwtWith("{\"iss\":\"https://x\"}"))).result())
        .failure().code());
    assertEquals("unknown_issuer", ((Authentication.Rejected) b.authenticate(bearer(jwtWith("{}"))).result()).failure().code());
    assertTrue(first.seen.isEmpty());
    assertEquals("first", routedTo(b, jwtWith("{\"iss\":\"" + AS_ISS + "\"}")).name);
  }

  private static Credential bearer(String token) {
    return new Credential.BearerToken(new Secret(token));
  }

  @Test
  void threeDotSeparatedSegmentsThatAreNotAJwtHeaderAreOpaque() {
    assertInstanceOf(TokenShape.Opaque.class, TokenShape.of("abc.def.ghi"));
    assertInstanceOf(TokenShape.Opaque.class, TokenShape.of("a..b"));
    assertInstanceOf(TokenShape.Opaque.class, TokenShape.of(".a.b"));
    assertInstanceOf(TokenShape.Opaque.class, TokenShape.of("a.b."));
    assertInstanceOf(TokenShape.Opaque.class, TokenShape.of(jwtWith("{}") + ".x.y"));
    assertEquals(new TokenShape.Jwt(Optional.empty()), TokenShape.of(jwtWith("not json")));
    assertEquals(new TokenShape.Jwt(Optional.empty()), TokenShape.of(jwtWith("{\"iss\":7}")));
    assertEquals(new TokenShape.Jwt(Optional.of("x")), TokenShape.of(jwtWith("{\"iss\":\"x\"}")));
  }

  @Test
  void withoutIntrospectionEveryTokenIsVerifiedLocallyWithoutBeingDecoded() {
    Authenticator b = BearerAuthenticator.of(Optional.of(jwt), Set.of(JWT_ISS), List.of()).orElseThrow();
    assertEquals(jwt, b, "the JWT authenticator itself: no routing cost");
  }

  @Test
  void withOnlyIntrospectionEvenJwtsAreIntrospected() {
    BearerAuthenticator b = (BearerAuthenticator) BearerAuthenticator.of(Optional.empty(), Set.of(),
        List.of(new BearerAuthenticator.Introspector("first", Optional.empty(), first))).orElseThrow();
    assertEquals("first", routedTo(b, jwtWith("{\"iss\":\"" + JWT_ISS + "\"}")).name);
  }

  @Test
  void withNothingConfiguredThereIsNoBearerAuthenticator() {
    assertEquals(Optional.empty(), BearerAuthenticator.of(Optional.empty(), Set.of(), List.of()));
  }

  @Test
  void anIssuerWithTwoAuthoritiesIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BearerAuthenticator.of(Optional.of(jwt), Set.of(JWT_ISS),
        List.of(new BearerAuthenticator.Introspector("first", Optional.of(JWT_ISS), first))));
    assertEquals("issuer 'https://jwt.example' has two authorities; a token's iss must name one", e.getMessage());
  }

  @Test
  void everyRouteKindIsCovered() {
    BearerAuthenticator b = both();
    assertInstanceOf(BearerAuthenticator.Route.Local.class, b.route(jwtWith("{\"iss\":\"" + JWT_ISS + "\"}")));
    assertInstanceOf(BearerAuthenticator.Route.Introspect.class, b.route("opaque"));
    assertInstanceOf(BearerAuthenticator.Route.UnknownIssuer.class, b.route(jwtWith("{\"iss\":\"elsewhere\"}")));
    BearerAuthenticator none = (BearerAuthenticator) BearerAuthenticator.of(Optional.empty(), Set.of(),
        List.of(new BearerAuthenticator.Introspector("first", Optional.empty(), first))).orElseThrow();
    assertInstanceOf(BearerAuthenticator.Route.Introspect.class, none.route("x"));
    Authentication refused = b.authenticate(new Credential.ApiKey(new Secret("k"), Credential.Location.HEADER)).result();
    assertEquals("unsupported_credential", ((Authentication.Rejected) refused).failure().code());
  }
}
