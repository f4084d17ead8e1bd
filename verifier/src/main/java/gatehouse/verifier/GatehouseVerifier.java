package gatehouse.verifier;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Checks, in a backend, that a request really came through Gatehouse and that its identity headers
 * are the ones the gateway set. One call per request:
 *
 * <pre>{@code
 * GatehouseVerifier verifier = GatehouseVerifier.httpSignatures()
 *     .hmacSha256("k-2026-05", secretBytes)          // or .ed25519("gw-1", publicKey), .jwks(json)
 *     .identityHeaders("X-User-Id", "X-User-Role", "X-User-Email")
 *     .build();
 * Verification v = verifier.verify(new IncomingRequest(method, target, headers));
 * if (!(v instanceof Verification.Verified ok)) { respond 401; }
 * String user = GatehouseVerifier.decodeIdentityValue(ok.identity().getOrDefault("x-user-id", ""));
 * }</pre>
 *
 * <p>Thread-safe. {@link #verify} is CPU only: it never does I/O and never blocks, except for a
 * short lock around the replay cache. Keys are fixed when built; to rotate, build a verifier with
 * the old and the new key and swap it in.
 */
public final class GatehouseVerifier {
  /** The signature label and {@code tag} the gateway uses (RFC 9421 sections 4.1, 2.3). */
  public static final String LABEL = "gatehouse";
  /** The identity token's default header. */
  public static final String DEFAULT_TOKEN_HEADER = "Gatehouse-Identity";

  private final Check check;

  private GatehouseVerifier(Check check) {
    this.check = check;
  }

  /** A verifier of RFC 9421 HTTP message signatures ({@code hmac-sha256} or {@code ed25519}). */
  public static Builder httpSignatures() {
    return new Builder(false, null);
  }

  /** A verifier of identity tokens (EdDSA or ES256 JWTs) minted for upstream {@code audience}. */
  public static Builder identityTokens(String audience) {
    return new Builder(true, Objects.requireNonNull(audience, "audience"));
  }

  /**
   * Verifies {@code request}. Never throws for anything a client can send: every problem is a
   * {@link Verification.Refused} with a reason. A verified signature's nonce is remembered for the
   * window, so verifying the same request twice refuses the second as {@code REPLAYED}.
   */
  public Verification verify(IncomingRequest request) {
    return check.verify(request);
  }

  /**
   * The string the gateway verified, from the value of one identity header as {@link
   * Verification.Verified#identity} holds it: each {@code %XX} is a byte, and the bytes are UTF-8
   * (docs/policies-and-identity.md "Identity headers"). For a header filled from an array ({@code X-Scopes}, a roles
   * claim), split the value on {@code ,} first and decode each part. Like JavaScript's {@code
   * decodeURIComponent}, and unlike a form decoder, {@code +} stays {@code +}; the gateway never
   * sends one unescaped.
   *
   * @throws IllegalArgumentException for what the gateway never sends: a character outside
   *     visible ASCII, a {@code %} without two hex digits after it, escapes that are not UTF-8
   */
  public static String decodeIdentityValue(String value) {
    return IdentityValues.decode(value);
  }

  /** One mode's verification. */
  interface Check {
    Verification verify(IncomingRequest request);
  }

  /** Settings of a verifier; {@link #build} checks them. */
  public static final class Builder {
    private final boolean tokens;
    private final String audience;
    private final Map<String, Object> keys = new LinkedHashMap<>();
    private final List<String> identityHeaders = new ArrayList<>();
    private Duration window = Duration.ofSeconds(30);
    private Duration skew = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();
    private String header = DEFAULT_TOKEN_HEADER;
    private String issuer = "gatehouse";

    private Builder(boolean tokens, String audience) {
      this.tokens = tokens;
      this.audience = audience;
    }

    /** A shared {@code hmac-sha256} secret (at least 32 bytes) under key id {@code keyId}. */
    public Builder hmacSha256(String keyId, byte[] secret) {
      if (tokens) throw new IllegalStateException("identity tokens are signed with EdDSA or ES256, not HMAC");
      if (secret.length < 32) throw new IllegalArgumentException("an hmac-sha256 secret needs at least 32 bytes, got " + secret.length);
      return key(keyId, secret.clone());
    }

    /** An Ed25519 (or, for identity tokens, P-256) public key under {@code keyId}. */
    public Builder publicKey(String keyId, PublicKey key) {
      return key(keyId, key);
    }

    /** A public key from a {@code -----BEGIN PUBLIC KEY-----} PEM. */
    public Builder publicKeyPem(String keyId, String pem) {
      return key(keyId, Keys.publicKeyPem(pem));
    }

    /** Every Ed25519 and P-256 key of a JWK set (the gateway's {@code /.well-known/jwks.json}). */
    public Builder jwks(String json) {
      Keys.fromJwks(json).forEach(this::key);
      return this;
    }

    /**
     * The identity headers this backend trusts. Each must be covered by the signature (or, for
     * identity tokens, agree with the token), whether the gateway set it or not: a header the
     * gateway left out is signed as absent, so one added later is refused.
     */
    public Builder identityHeaders(String... names) {
      for (String n : names) identityHeaders.add(n.toLowerCase(Locale.ROOT));
      return this;
    }

    /** How old a signature may be (default 30 s); nonces are remembered this long. */
    public Builder window(Duration window) {
      if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive");
      this.window = window;
      return this;
    }

    /** How far in the future {@code created} may lie, for clocks that differ (default 5 s). */
    public Builder clockSkew(Duration skew) {
      if (skew.isNegative()) throw new IllegalArgumentException("clock skew must not be negative");
      this.skew = skew;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The identity token's header (default {@value #DEFAULT_TOKEN_HEADER}). */
    public Builder tokenHeader(String header) {
      this.header = Objects.requireNonNull(header, "header");
      return this;
    }

    /** The identity token's required {@code iss} (default {@code gatehouse}). */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /** @throws IllegalStateException when no key was given */
    public GatehouseVerifier build() {
      if (keys.isEmpty()) throw new IllegalStateException("no keys: add hmacSha256, publicKey or jwks");
      Check check = tokens
          ? new IdentityTokenCheck(keys, List.copyOf(identityHeaders), window, skew, clock, header, issuer, audience)
          : new HttpSignatureCheck(keys, List.copyOf(identityHeaders), window, skew, clock);
      return new GatehouseVerifier(check);
    }

    private Builder key(String keyId, Object key) {
      Objects.requireNonNull(keyId, "keyId");
      if (keys.putIfAbsent(keyId, key) != null) throw new IllegalArgumentException("key id '" + keyId + "' given twice");
      return this;
    }
  }
}
