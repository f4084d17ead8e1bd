package gatehouse.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's built-in identity provider: an RS256 key made at start-up, its public JWK set, and
 * tokens for the demo's users. A second key plays the attacker's. It also issues opaque tokens and
 * answers RFC 7662 introspection for them on loopback ({@link #serveIntrospection}), for the
 * gateway's client {@link #CLIENT_ID} with a secret made at start-up.
 */
public final class DemoIssuer {
  public static final String ISSUER = "https://issuer.demo.gatehouse.local";
  public static final String AUDIENCE = "demo-api";
  public static final String CLIENT_ID = "gatehouse-demo";

  private final RSAKey key;
  private final RSAKey rogue;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final String clientSecret;
  private final Map<String, JsonObject> opaque = new ConcurrentHashMap<>();
  /** Where {@link #serve} publishes the key set. */
  public static final String JWKS_PATH = "/.well-known/jwks.json";

  private HttpServer introspection;

  public DemoIssuer(Clock clock) {
    this.clock = clock;
    this.clientSecret = randomText(24);
    try {
      this.key = new RSAKeyGenerator(2048).keyID("demo-1").generate();
      this.rogue = new RSAKeyGenerator(2048).keyID("demo-1").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the demo key", e);
    }
  }

  /** The secret the gateway authenticates with at the introspection endpoint. */
  public String clientSecret() {
    return clientSecret;
  }

  /** An opaque token for {@code subject} with {@code scope} (space-separated), active for an hour. */
  public String opaqueToken(String subject, String scope) {
    String token = randomText(32);
    opaque.put(token, new JsonObject().put("active", true).put("sub", subject).put("scope", scope)
        .put("client_id", "demo-app").put("token_type", "Bearer").put("iss", ISSUER + "/opaque")
        .put("exp", clock.instant().plus(Duration.ofHours(1)).getEpochSecond()));
    return token;
  }

  /**
   * Serves, on 127.0.0.1 and a free port, {@code GET /.well-known/jwks.json} (the public key set,
   * with {@code Cache-Control: max-age=300}) and {@code POST /introspect} (RFC 7662;
   * client_secret_basic): unknown tokens answer {@code {"active": false}}, a wrong client 401.
   */
  public Future<Integer> serve(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> {
      if (request.method().name().equals("GET") && request.path().equals(JWKS_PATH)) {
        request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "max-age=300")
            .end(publicJwks());
      } else {
        introspect(request);
      }
    }).listen(0, "127.0.0.1").map(server -> {
      introspection = server;
      return server.actualPort();
    });
  }

  public Future<Void> close() {
    return introspection == null ? Future.succeededFuture() : introspection.close();
  }

  private void introspect(HttpServerRequest request) {
    request.body().onComplete(body -> {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (CLIENT_ID + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
      String given = request.getHeader("Authorization");
      if (!request.path().equals("/introspect") || body.failed()) {
        request.response().setStatusCode(404).end();
        return;
      }
      if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
        request.response().setStatusCode(401).putHeader("Content-Type", "application/json").end("{\"error\":\"invalid_client\"}");
        return;
      }
      String token = null;
      for (String pair : body.result().toString(StandardCharsets.UTF_8).split("&")) {
        if (pair.startsWith("token=")) token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
      JsonObject answer = token == null ? null : opaque.get(token);
      request.response().putHeader("Content-Type", "application/json")
          .end((answer == null ? new JsonObject().put("active", false) : answer).encode());
    });
  }

  private String randomText(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The public JWK set the gateway verifies against. */
  public String publicJwks() {
    return new JWKSet(key.toPublicJWK()).toString();
  }

  /** A token for {@code subject} with {@code role}, valid for an hour. */
  public String token(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(key, subject, role, email, now.minusSeconds(5), now.plus(Duration.ofHours(1)));
  }

  /** A token that expired ten minutes ago. */
  public String expiredToken(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(key, subject, role, email, now.minus(Duration.ofHours(1)), now.minus(Duration.ofMinutes(10)));
  }

  /** A well-formed token with the right kid and claims, signed by a key the gateway does not trust. */
  public String forgedToken(String subject, String role, String email) {
    Instant now = clock.instant();
    return sign(rogue, subject, role, email, now.minusSeconds(5), now.plus(Duration.ofHours(1)));
  }

  private static String sign(RSAKey with, String subject, String role, String email, Instant issued, Instant expires) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE))
        .subject(subject)
        .claim("role", role)
        .claim("email", email)
        .issueTime(Date.from(issued))
        .notBeforeTime(Date.from(issued))
        .expirationTime(Date.from(expires))
        .build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new RSASSASigner(with));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a demo token", e);
    }
    return jwt.serialize();
  }
}
