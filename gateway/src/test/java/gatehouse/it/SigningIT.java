package gatehouse.it;

import static gatehouse.testing.TestVertx.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gatehouse.Gatehouse;
import gatehouse.config.ConfigLoader;
import gatehouse.testing.MutableClock;
import gatehouse.testing.TestKeys;
import gatehouse.testing.TestPki;
import gatehouse.testing.TestTokens;
import gatehouse.testing.TestVertx;
import gatehouse.testing.UpstreamRecorder;
import gatehouse.verifier.GatehouseVerifier;
import gatehouse.verifier.IncomingRequest;
import gatehouse.verifier.Verification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signed requests from the gateway, checked by the backends' verifiers: the Java module
 * ({@code gatehouse-verifier}) and the Node.js recipe ({@code verifier/node}, only {@code
 * node:crypto}). Both see the same cases, tamper cases included, and must agree on every reason.
 */
class SigningIT {
  static final String SECRET = "an-internal-secret-of-at-least-32-bytes!";
  static final List<String> IDENTITY = List.of("x-key-id", "x-owner-id", "x-scopes", "x-user-email", "x-user-id", "x-user-role");

  @TempDir static Path dir;
  static Vertx vertx;
  static UpstreamRecorder upstream;
  static Gatehouse gateway;
  static HttpClient client;
  static String jwks;

  @RegisterExtension
  static final GatewayInvariants invariants = new GatewayInvariants(() -> upstream);

  /** One verification: by verifier {@code verifier} at second {@code now}, expecting {@code expect} ("ok" or a reason). */
  record Case(String name, String verifier, IncomingRequest request, long now, String expect) {}

  @BeforeAll
  static void start() throws Exception {
    vertx = TestVertx.create();
    upstream = UpstreamRecorder.start(vertx);
    Files.writeString(dir.resolve("jwks.json"), TestKeys.jwks(TestKeys.rsa()));
    Files.writeString(dir.resolve("ed.pem"), TestPki.privateKeyPem(TestPki.ed25519Keys().getPrivate()));
    Files.writeString(dir.resolve("tok-ed.pem"), TestPki.privateKeyPem(TestPki.ed25519Keys().getPrivate()));
    Files.writeString(dir.resolve("tok-es.pem"), TestPki.privateKeyPem(TestPki.ecKeys().getPrivate()));
    String url = upstream.url();
    Files.writeString(dir.resolve("gatehouse.yaml"), String.join("\n",
        "listen: {host: 127.0.0.1, port: 0}",
        "admin: {host: 127.0.0.1, port: 0}",
        "sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: hmac-1, secret: \"" + SECRET + "\"}]}",
        "upstreams:",
        "  hmac: {url: \"" + url + "\"}",
        "  ed: {url: \"" + url + "\", sign: {mode: http_signature, algorithm: ed25519, keys: [{id: ed-1, private_key: ed.pem}]}}",
        "  tok-ed: {url: \"" + url + "/base\", sign: {mode: identity_token, algorithm: EdDSA, keys: [{id: tok-ed, private_key: tok-ed.pem}]}}",
        "  tok-es: {url: \"" + url + "\", sign: {mode: identity_token, algorithm: ES256, keys: [{id: tok-es, private_key: tok-es.pem}], header: X-Proof, lifetime: 20s}}",
        "  plain: {url: \"" + url + "\", sign: {mode: none}}",
        "  digest: {url: \"" + url + "\", sign: {mode: http_signature, algorithm: hmac-sha256, keys: [{id: hmac-1, secret: \"" + SECRET
            + "\"}], content_digest: {max_body: 1KiB}}}",
        "auth:",
        "  jwt: [{name: main, issuer: \"" + TestTokens.ISSUER + "\", audiences: [" + TestTokens.AUDIENCE + "], jwks_file: jwks.json}]",
        GatewayInvariants.ACCESS_LOG_YAML,
        "routes:",
        "  - {match: {prefix: /public/}, upstream: hmac, policy: public}",
        "  - {match: {prefix: /hmac/}, upstream: hmac}",
        "  - {match: {prefix: /ed/}, upstream: ed}",
        "  - {match: {prefix: /tok-ed/}, upstream: tok-ed}",
        "  - {match: {prefix: /tok-es/}, upstream: tok-es}",
        "  - {match: {prefix: /plain/}, upstream: plain, policy: public}",
        "  - {match: {prefix: /digest/}, upstream: digest}",
        ""));
    gateway = await(Gatehouse.start(ConfigLoader.load(dir.resolve("gatehouse.yaml")), Clock.systemUTC(), vertx, false));
    client = vertx.createHttpClient();
    jwks = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.adminPort()).setURI("/.well-known/jwks.json"))
        .compose(r -> r.send().compose(resp -> resp.body()))).toString();
  }

  @AfterAll
  static void stop() {
    if (client != null) await(client.close());
    if (gateway != null) await(gateway.close());
    upstream.close();
    await(vertx.close());
  }

  /** Sends {@code path} with alice's token (and spoofed proof headers) and returns what the upstream got. */
  static UpstreamRecorder.Recorded send(String path, boolean withToken) {
    RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(path)
        .addHeader("Signature", "gatehouse=:AAAA:").addHeader("Signature-Input", "gatehouse=();created=1")
        .addHeader("X-Proof", "spoofed").addHeader("Gatehouse-Identity", "spoofed")
        .addHeader("X-Owner-Id", GatewayInvariants.SPOOF);
    if (withToken) {
      String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice")
          .claim("role", "admin").claim("email", "alice@example.com").sign());
      o.addHeader("Authorization", "Bearer " + token);
    }
    int status = await(client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode()))));
    assertEquals(200, status, path);
    return upstream.lastRequest();
  }

  /** POSTs {@code body} with alice's token and a client Content-Digest (chunked: no Content-Length); returns the status. */
  static int post(String path, byte[] body, boolean chunked) {
    String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", "alice")
        .claim("role", "admin").claim("email", "alice@example.com").sign());
    RequestOptions o = new RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
        .setURI(path).addHeader("Authorization", "Bearer " + token).addHeader("Content-Digest", "sha-256=:AAAA:");
    // The body is read in the callback that receives the response: attached a step later, Vert.x
    // may already have delivered it, and the read would wait forever.
    return await(client.request(o).compose(r -> {
      Future<io.vertx.core.http.HttpClientResponse> response;
      if (chunked) {
        r.setChunked(true);
        for (int i = 0; i < body.length; i += 100) r.write(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 100))));
        response = r.end().compose(v -> r.response());
      } else {
        response = r.send(io.vertx.core.buffer.Buffer.buffer(body));
      }
      return response.compose(resp -> resp.body().map(b -> {
        if (resp.statusCode() == 413) assertEquals("payload_too_large", new JsonObject(b).getString("error"), b.toString());
        return resp.statusCode();
      }));
    }));
  }

  /** What the upstream received for {@code body}, the body itself checked by its hash as recorded. */
  static IncomingRequest received(byte[] body) throws Exception {
    UpstreamRecorder.Recorded r = upstream.lastRequest();
    assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body)), r.bodySha256());
    return incoming(r).withBody(body);
  }

  static IncomingRequest incoming(UpstreamRecorder.Recorded r) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : r.headers()) headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
    return new IncomingRequest(r.method(), r.target(), headers);
  }

  static IncomingRequest edit(IncomingRequest r, UnaryOperator<Map<String, List<String>>> change) {
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    return new IncomingRequest(r.method(), r.target(), change.apply(h), r.body());
  }

  static Map<String, List<String>> set(Map<String, List<String>> h, String name, String value) {
    h.keySet().removeIf(k -> k.equalsIgnoreCase(name));
    if (value != null) h.put(name, List.of(value));
    return h;
  }

  /** The cases of one signed request: accepted once, then every tamper case refused. */
  static List<Case> cases(String mode, String verifier, IncomingRequest signed, long now, boolean token) {
    String proof = verifier.equals("tok-es") ? "X-Proof" : "Gatehouse-Identity";
    String tampered = token ? "IDENTITY_MISMATCH" : "BAD_SIGNATURE";
    List<Case> c = new ArrayList<>();
    c.add(new Case(mode + ": too old", verifier, signed, now + 31, "TOO_OLD"));
    c.add(new Case(mode + ": tampered identity header", verifier, edit(signed, h -> set(h, "X-User-Id", "mallory")), now, tampered));
    c.add(new Case(mode + ": identity header added", verifier, edit(signed, h -> set(h, "X-Owner-Id", "acme")), now, tampered));
    c.add(new Case(mode + ": identity header removed", verifier, edit(signed, h -> set(h, "X-User-Role", null)), now, tampered));
    c.add(new Case(mode + ": other path", verifier, new IncomingRequest(signed.method(), signed.target() + "x", signed.headers()), now,
        token ? "REQUEST_MISMATCH" : "BAD_SIGNATURE"));
    c.add(new Case(mode + ": other method", verifier, new IncomingRequest("DELETE", signed.target(), signed.headers()), now,
        token ? "REQUEST_MISMATCH" : "BAD_SIGNATURE"));
    if (token) {
      c.add(new Case(mode + ": missing token", verifier, edit(signed, h -> set(h, proof, null)), now, "MISSING"));
    } else {
      c.add(new Case(mode + ": missing signature", verifier, edit(signed, h -> set(set(h, "Signature", null), "Signature-Input", null)), now, "MISSING"));
      c.add(new Case(mode + ": other authority", verifier, edit(signed, h -> set(h, "Host", "evil.example")), now, "BAD_SIGNATURE"));
    }
    c.add(new Case(mode + ": identity header outside visible ASCII", verifier, edit(signed, h -> set(h, "X-User-Id", "Jos\u00e9")), now,
        "MALFORMED"));
    c.add(new Case(mode + ": identity header repeated", verifier, edit(signed, h -> {
      h.put("X-User-Id", List.of("alice", "alice"));
      return h;
    }), now, "MALFORMED"));
    c.add(new Case(mode + ": wrong key", verifier + "-wrong", signed, now, "BAD_SIGNATURE"));
    c.add(new Case(mode + ": accepted", verifier, signed, now, "ok"));
    c.add(new Case(mode + ": replayed", verifier, signed, now + 1, "REPLAYED"));
    return c;
  }

  @Test
  void everySigningModeIsVerifiedByTheJavaAndTheNodeVerifierAndEveryTamperIsRefused() throws Exception {
    IncomingRequest hmac = incoming(send("/hmac/orders?id=7&full=1", true));
    IncomingRequest ed = incoming(send("/ed/orders", true));
    IncomingRequest tokEd = incoming(send("/tok-ed/orders?x=1", true));
    IncomingRequest tokEs = incoming(send("/tok-es/orders", true));
    IncomingRequest anonymous = incoming(send("/public/p", false));
    long now = Instant.now().getEpochSecond();

    assertEquals(List.of("alice"), hmac.header("X-User-Id"));
    assertEquals(List.of(), hmac.header("X-Owner-Id"), "a spoofed identity header never reaches the upstream");
    assertEquals(1, hmac.header("Signature").size());
    assertFalse(hmac.header("Signature").get(0).contains("AAAA"), "the client's Signature was stripped");
    assertTrue(hmac.header("Signature-Input").get(0).startsWith("gatehouse=(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-key-id\""));
    assertEquals(List.of(), hmac.header("Gatehouse-Identity"));
    assertEquals("/base/tok-ed/orders?x=1", tokEd.target(), "the target as sent, base path included");
    assertEquals(1, tokEs.header("X-Proof").size());
    assertFalse(tokEs.header("X-Proof").get(0).equals("spoofed"));
    assertEquals(List.of(), incoming(send("/plain/p", false)).header("Signature"), "mode none adds nothing");

    byte[] json = "{\"order\": 7, \"items\": [\"a\", \"b\"]}".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, post("/digest/orders", json, false));
    IncomingRequest digested = received(json);
    byte[] longer = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
    assertEquals(200, post("/digest/orders", longer, true));
    IncomingRequest chunked = received(longer);
    IncomingRequest bodyless = incoming(send("/digest/orders", true));
    int before = upstream.requests().size();
    assertEquals(413, post("/digest/orders", "x".repeat(1025).getBytes(StandardCharsets.UTF_8), false), "declared over max_body");
    assertEquals(413, post("/digest/orders", "x".repeat(1025).getBytes(StandardCharsets.UTF_8), true), "chunked, ends over max_body");
    assertEquals(before, upstream.requests().size(), "a body over max_body never reaches the upstream");

    String contentDigest = "sha-256=:" + java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(json)) + ":";
    assertEquals(List.of(contentDigest), digested.header("Content-Digest"), "the gateway's digest, the client's stripped");
    assertTrue(digested.header("Signature-Input").get(0).startsWith("gatehouse=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"x-key-id\""));
    assertEquals(List.of(String.valueOf(longer.length)), chunked.header("Content-Length"), "a buffered chunked body is sent with its length");
    assertEquals(List.of(), bodyless.header("Content-Digest"));
    assertFalse(bodyless.header("Signature-Input").get(0).contains("content-digest"), "no body: signed as without content_digest");

    byte[] evil = "{\"order\": 8, \"items\": [\"a\", \"b\"]}".getBytes(StandardCharsets.UTF_8);
    String evilDigest = "sha-256=:" + java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(evil)) + ":";

    List<Case> all = new ArrayList<>();
    all.add(new Case("digest: tampered body", "hmac", digested.withBody(evil), now, "DIGEST_MISMATCH"));
    all.add(new Case("digest: body and its digest replaced", "hmac", edit(digested, h -> set(h, "Content-Digest", evilDigest)).withBody(evil), now, "BAD_SIGNATURE"));
    all.add(new Case("digest: body not given to the verifier", "hmac", new IncomingRequest(digested.method(), digested.target(), digested.headers()), now, "DIGEST_MISMATCH"));
    all.add(new Case("digest: body accepted", "hmac", digested, now, "ok"));
    all.add(new Case("digest: chunked body accepted", "hmac", chunked, now, "ok"));
    all.add(new Case("digest: body added to a bodyless request", "hmac", bodyless.withBody(evil), now, "NOT_COVERED"));
    all.add(new Case("digest: bodyless request accepted", "hmac", bodyless.withBody(new byte[0]), now, "ok"));
    all.addAll(cases("hmac-sha256", "hmac", hmac, now, false));
    all.addAll(cases("ed25519", "ed", ed, now, false));
    all.addAll(cases("EdDSA token", "tok-ed", tokEd, now, true));
    all.addAll(cases("ES256 token", "tok-es", tokEs, now, true));
    all.add(new Case("anonymous: accepted", "hmac", anonymous, now, "ok"));
    all.add(new Case("anonymous: identity header added", "hmac", edit(anonymous, h -> set(h, "X-User-Id", "admin")), now, "BAD_SIGNATURE"));
    all.add(new Case("unknown key id", "other-kid", hmac, now, "UNKNOWN_KEY"));

    Map<String, MutableClock> clocks = new LinkedHashMap<>();
    Map<String, GatehouseVerifier> java = javaVerifiers(clocks);
    List<String> javaResults = new ArrayList<>();
    for (Case c : all) {
      clocks.get(c.verifier()).set(Instant.ofEpochSecond(c.now()));
      Verification v = java.get(c.verifier()).verify(c.request());
      javaResults.add(c.name() + " -> " + (v instanceof Verification.Refused r ? r.reason().name() : "ok"));
      if (v instanceof Verification.Verified ok && !c.name().startsWith("anonymous")) {
        assertEquals("alice", ok.identity().get("x-user-id"), c.name());
        assertFalse(ok.identity().containsKey("x-owner-id"), c.name());
      }
    }
    List<String> expected = all.stream().map(c -> c.name() + " -> " + c.expect()).toList();
    assertEquals(expected, javaResults, "the Java verifier");
    assertEquals(expected, node(all), "the Node verifier");
  }

  /**
   * Issue 17 section 1: subjects outside ASCII reach the backend as distinct, visible-ASCII bytes
   * that decode back to the subject, and every signing mode covers exactly those bytes. Before, the
   * two Chinese subjects both arrived as {@code ??A}, and José as one Latin-1 byte signed as two.
   */
  @Test
  void subjectsOutsideAsciiArriveDistinctDecodableAndSigned() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("用户A", "%E7%94%A8%E6%88%B7A");
    expected.put("张三A", "%E5%BC%A0%E4%B8%89A");
    expected.put("José", "Jos%C3%A9");
    expected.put("alice", "alice");
    List<Case> all = new ArrayList<>();
    Map<String, String> subjectOf = new LinkedHashMap<>();
    long now = Instant.now().getEpochSecond();
    for (String mode : List.of("hmac", "ed", "tok-ed", "tok-es")) {
      List<String> sent = new ArrayList<>();
      for (String subject : expected.keySet()) {
        String token = invariants.secret(TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("sub", subject)
            .claim("role", List.of("ops,admin", "viewer")).claim("email", subject + "@exämple.com").sign());
        UpstreamRecorder.Recorded r = sendWith("/" + mode + "/u", token, 200);
        IncomingRequest received = incoming(r);
        String userId = received.header("X-User-Id").get(0);
        assertEquals(expected.get(subject), userId, mode + " " + subject);
        assertEquals(List.of("ops%2Cadmin,viewer"), received.header("X-User-Role"), "array elements escaped, joined by ','");
        for (Map.Entry<String, List<String>> h : received.headers().entrySet()) {
          for (String v : h.getValue()) assertTrue(v.chars().allMatch(c -> c >= 0x20 && c <= 0x7E), h.getKey() + ": " + v);
        }
        sent.add(userId);
        String name = mode + ": " + subject;
        subjectOf.put(name, subject);
        all.add(new Case(name, mode, received, now, "ok"));
      }
      assertEquals(sent.size(), Set.copyOf(sent).size(), "distinct subjects give distinct bytes: " + sent);
    }

    Map<String, MutableClock> clocks = new LinkedHashMap<>();
    Map<String, GatehouseVerifier> verifiers = javaVerifiers(clocks);
    for (Case c : all) {
      clocks.get(c.verifier()).set(Instant.ofEpochSecond(c.now()));
      Verification v = verifiers.get(c.verifier()).verify(c.request());
      Verification.Verified ok = org.junit.jupiter.api.Assertions.assertInstanceOf(Verification.Verified.class, v, c.name() + ": " + v);
      String subject = subjectOf.get(c.name());
      assertEquals(subject, GatehouseVerifier.decodeIdentityValue(ok.identity().get("x-user-id")), c.name());
      assertEquals(subject + "@exämple.com", GatehouseVerifier.decodeIdentityValue(ok.identity().get("x-user-email")), c.name());
      assertEquals(List.of("ops,admin", "viewer"),
          java.util.Arrays.stream(ok.identity().get("x-user-role").split(",")).map(GatehouseVerifier::decodeIdentityValue).toList());
      if (c.verifier().startsWith("tok-")) assertEquals(java.util.Optional.of(subject), ok.subject(), "the token's sub is the subject itself");
    }
    for (JsonObject r : nodeResults(all)) {
      String name = r.getString("name");
      assertTrue(r.getBoolean("ok"), name + ": " + r.getString("reason"));
      JsonObject decoded = r.getJsonObject("decoded");
      assertEquals(new JsonArray().add(subjectOf.get(name)), decoded.getJsonArray("x-user-id"), name);
      assertEquals(new JsonArray().add("ops,admin").add("viewer"), decoded.getJsonArray("x-user-role"), name);
    }
  }

  /**
   * A present claim the headers cannot carry faithfully refuses the request (401, naming the claim
   * path, never the value); nothing reaches the upstream.
   */
  @Test
  void aClaimTheHeadersCannotCarryFaithfullyRefusesTheRequest() {
    String object = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("email", Map.of("primary", "a@example.com")).sign();
    String nested = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("role", List.of(List.of("admin"))).sign();
    String tooLong = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).claim("email", "用".repeat(500) + "@example.com").sign();
    long exp = Instant.now().getEpochSecond() + 300;
    // A lone surrogate can only come from a JSON escape: a UTF-8 encoder would have made it '?'.
    String lone = TestTokens.signedBy(TestKeys.rsa(), Clock.systemUTC()).rawPayload("{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\""
        + TestTokens.AUDIENCE + "\",\"sub\":\"\\ud800A\",\"exp\":" + exp + "}").sign();
    Map<String, String> claimOf = new LinkedHashMap<>();
    claimOf.put(object, "email");
    claimOf.put(nested, "role");
    claimOf.put(tooLong, "email");
    claimOf.put(lone, "sub");
    int before = upstream.requests().size();
    claimOf.forEach((token, claim) -> {
      io.vertx.core.http.HttpClientResponse resp = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port())
          .setURI("/hmac/u").addHeader("Authorization", "Bearer " + invariants.secret(token)))
          .compose(r -> r.send().compose(x -> x.body().map(b -> x))));
      assertEquals(401, resp.statusCode(), claim);
      assertEquals("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"unrepresentable_claim: " + claim + "\"",
          resp.getHeader("WWW-Authenticate"));
    });
    assertEquals(before, upstream.requests().size(), "nothing reaches the upstream");
  }

  /** Sends {@code path} with {@code token}, expects {@code status} and returns what the upstream got. */
  static UpstreamRecorder.Recorded sendWith(String path, String token, int status) {
    RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(path)
        .addHeader("Authorization", "Bearer " + token).addHeader("X-User-Id", GatewayInvariants.SPOOF);
    assertEquals(status, (int) await(client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode())))), path);
    return upstream.lastRequest();
  }

  private static Map<String, GatehouseVerifier> javaVerifiers(Map<String, MutableClock> clocks) {
    Map<String, GatehouseVerifier> v = new LinkedHashMap<>();
    String otherJwks = otherJwks();
    for (String name : List.of("hmac", "hmac-wrong", "other-kid", "ed", "ed-wrong", "tok-ed", "tok-ed-wrong", "tok-es", "tok-es-wrong")) {
      MutableClock clock = new MutableClock(Instant.now());
      clocks.put(name, clock);
      GatehouseVerifier.Builder b;
      if (name.startsWith("tok-")) {
        b = GatehouseVerifier.identityTokens(name.replace("-wrong", "")).jwks(name.endsWith("-wrong") ? otherJwks : jwks);
        if (name.startsWith("tok-es")) b.tokenHeader("X-Proof");
      } else if (name.startsWith("ed")) {
        b = GatehouseVerifier.httpSignatures().jwks(name.endsWith("-wrong") ? otherJwks : jwks);
      } else if (name.equals("other-kid")) {
        b = GatehouseVerifier.httpSignatures().hmacSha256("hmac-2", SECRET.getBytes(StandardCharsets.UTF_8));
      } else {
        b = GatehouseVerifier.httpSignatures().hmacSha256("hmac-1",
            (name.endsWith("-wrong") ? "another-secret-of-at-least-32-bytes!!!!" : SECRET).getBytes(StandardCharsets.UTF_8));
      }
      v.put(name, b.identityHeaders(IDENTITY.toArray(new String[0])).clock(clock).window(Duration.ofSeconds(30)).build());
    }
    return v;
  }

  /** The gateway's key ids with other keys behind them: a backend holding the wrong key. */
  private static String otherJwks() {
    JsonArray keys = new JsonArray();
    for (Object o : new JsonObject(jwks).getJsonArray("keys")) {
      JsonObject k = ((JsonObject) o).copy();
      JsonObject other = new JsonObject(k.getString("kty").equals("OKP")
          ? jwkOf(TestPki.ed25519Keys()) : jwkOf(TestPki.ecKeys()));
      other.put("kid", k.getString("kid"));
      keys.add(other);
    }
    return new JsonObject().put("keys", keys).encode();
  }

  private static String jwkOf(java.security.KeyPair pair) {
    try {
      if (pair.getPublic() instanceof java.security.interfaces.ECPublicKey ec) {
        return new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, ec).build().toJSONString();
      }
      byte[] spki = pair.getPublic().getEncoded();
      String x = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length));
      return new JsonObject().put("kty", "OKP").put("crv", "Ed25519").put("x", x).encode();
    } catch (RuntimeException e) {
      throw new AssertionError(e);
    }
  }

  /** Runs verifier/node/run-cases.mjs over {@code all}: "name -> reason" (or "ok") per case. */
  private static List<String> node(List<Case> all) throws IOException, InterruptedException {
    return nodeResults(all).stream().map(r -> r.getString("name") + " -> " + (r.getBoolean("ok") ? "ok" : r.getString("reason"))).toList();
  }

  /**
   * Runs verifier/node/run-cases.mjs over {@code all}; one JSON object per case ({@code name},
   * {@code ok}, {@code reason}, {@code decoded}, {@code subject}). Fails (never skips) on CI when
   * node is missing.
   */
  private static List<JsonObject> nodeResults(List<Case> all) throws IOException, InterruptedException {
    Path script = nodeVerifierDir().resolve("run-cases.mjs");
    JsonObject verifiers = new JsonObject();
    String otherJwks = otherJwks();
    for (String name : List.of("hmac", "hmac-wrong", "other-kid", "ed", "ed-wrong", "tok-ed", "tok-ed-wrong", "tok-es", "tok-es-wrong")) {
      JsonObject o = new JsonObject().put("identityHeaders", new JsonArray(IDENTITY)).put("windowSeconds", 30).put("now", 0);
      if (name.startsWith("tok-")) {
        o.put("mode", "identity_token").put("audience", name.replace("-wrong", ""))
            .put("jwks", new JsonObject(name.endsWith("-wrong") ? otherJwks : jwks));
        if (name.startsWith("tok-es")) o.put("tokenHeader", "X-Proof");
      } else if (name.startsWith("ed")) {
        o.put("mode", "http_signature").put("jwks", new JsonObject(name.endsWith("-wrong") ? otherJwks : jwks));
      } else {
        String kid = name.equals("other-kid") ? "hmac-2" : "hmac-1";
        o.put("mode", "http_signature").put("hmacKeys", new JsonObject().put(kid, name.endsWith("-wrong") ? "another-secret-of-at-least-32-bytes!!!!" : SECRET));
      }
      verifiers.put(name, o);
    }
    JsonArray cases = new JsonArray();
    for (Case c : all) {
      JsonArray headers = new JsonArray();
      c.request().headers().forEach((k, vs) -> vs.forEach(v -> headers.add(new JsonArray().add(k).add(v))));
      JsonObject json = new JsonObject().put("name", c.name()).put("verifier", c.verifier()).put("method", c.request().method())
          .put("target", c.request().target()).put("headers", headers).put("now", c.now());
      c.request().body().ifPresent(b -> json.put("body", java.util.Base64.getEncoder().encodeToString(b)));
      cases.add(json);
    }
    String input = new JsonObject().put("verifiers", verifiers).put("cases", cases).encode();
    Process p;
    try {
      p = new ProcessBuilder("node", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      if ("true".equals(System.getenv("CI"))) throw new AssertionError("node is required on CI (Node 20 is on every machine)", e);
      org.junit.jupiter.api.Assumptions.abort("node is not installed: " + e.getMessage());
      throw e;
    }
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "node finished");
    assertEquals(0, p.exitValue(), "node exit status; output: " + out);
    return out.lines().map(JsonObject::new).toList();
  }

  static Path nodeVerifierDir() {
    return gatehouse.testing.Repository.dir("verifier/node");
  }
}
