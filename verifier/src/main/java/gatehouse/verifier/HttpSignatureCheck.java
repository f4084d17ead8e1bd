package gatehouse.verifier;

import gatehouse.verifier.Verification.Reason;
import gatehouse.verifier.Verification.Refused;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 9421 verification of the gateway's {@code gatehouse} signature. The steps follow section
 * 3.2: parse both fields, require the components this backend trusts, check time and key, rebuild
 * the signature base from the request as received, verify, and only then record the nonce (so that
 * forged requests cannot fill the replay cache).
 */
final class HttpSignatureCheck implements GatehouseVerifier.Check {
  static final List<String> REQUEST_COMPONENTS = List.of("@method", "@authority", "@path", "@query");
  static final String CONTENT_DIGEST = "content-digest";

  private final Map<String, Object> keys;
  private final List<String> identityHeaders;
  private final Duration window;
  private final Duration skew;
  private final Clock clock;
  private final NonceCache nonces = new NonceCache();

  HttpSignatureCheck(Map<String, Object> keys, List<String> identityHeaders, Duration window, Duration skew, Clock clock) {
    this.keys = Map.copyOf(keys);
    this.identityHeaders = identityHeaders;
    this.window = window;
    this.skew = skew;
    this.clock = clock;
  }

  @Override
  public Verification verify(IncomingRequest request) {
    List<String> inputs = request.header("Signature-Input");
    List<String> signatures = request.header("Signature");
    if (inputs.isEmpty() || signatures.isEmpty()) return new Refused(Reason.MISSING, "no Signature-Input or Signature header");
    StructuredFields.Member input;
    StructuredFields.Member signature;
    try {
      input = StructuredFields.dictionary(String.join(", ", inputs)).get(GatehouseVerifier.LABEL);
      signature = StructuredFields.dictionary(String.join(", ", signatures)).get(GatehouseVerifier.LABEL);
    } catch (StructuredFields.ParseException e) {
      return new Refused(Reason.MALFORMED, e.getMessage());
    }
    if (input == null || signature == null) return new Refused(Reason.MISSING, "no signature labelled '" + GatehouseVerifier.LABEL + "'");
    if (input.items() == null || signature.bytes() == null) return new Refused(Reason.MALFORMED, "wrong member types");

    List<String> covered = input.items();
    for (String c : covered) {
      if (c.startsWith("@") && !REQUEST_COMPONENTS.contains(c)) return new Refused(Reason.MALFORMED, "unsupported component " + c);
      if (!c.equals(c.toLowerCase(java.util.Locale.ROOT))) return new Refused(Reason.MALFORMED, "component names are lower case");
    }
    if (covered.stream().distinct().count() != covered.size()) return new Refused(Reason.MALFORMED, "a component is covered twice");
    for (String required : REQUEST_COMPONENTS) {
      if (!covered.contains(required)) return new Refused(Reason.NOT_COVERED, required + " is not covered");
    }
    for (String required : identityHeaders) {
      if (!covered.contains(required)) return new Refused(Reason.NOT_COVERED, required + " is not covered");
    }
    if (covered.contains("signature") || covered.contains("signature-input")) {
      return new Refused(Reason.MALFORMED, "the signature fields cannot be covered");
    }
    boolean digestCovered = covered.contains(CONTENT_DIGEST);
    if (!digestCovered && request.body().isPresent() && request.body().get().length > 0) {
      return new Refused(Reason.NOT_COVERED, "content-digest is not covered but the request has a body");
    }

    Map<String, Object> p = input.params();
    if (!(p.get("created") instanceof Long created)) return new Refused(Reason.MALFORMED, "created is missing");
    if (!(p.get("keyid") instanceof String keyId)) return new Refused(Reason.MALFORMED, "keyid is missing");
    if (!(p.get("nonce") instanceof String nonce) || nonce.length() < 16) return new Refused(Reason.MALFORMED, "nonce is missing or short");
    if (!GatehouseVerifier.LABEL.equals(p.get("tag"))) return new Refused(Reason.MALFORMED, "tag is not '" + GatehouseVerifier.LABEL + "'");
    for (String name : p.keySet()) {
      if (!List.of("created", "keyid", "alg", "nonce", "tag").contains(name)) {
        return new Refused(Reason.MALFORMED, "unsupported parameter " + name);
      }
    }

    long now = clock.instant().getEpochSecond();
    if (now - created > window.toSeconds()) return new Refused(Reason.TOO_OLD, "created " + (now - created) + " s ago");
    if (created - now > skew.toSeconds()) return new Refused(Reason.FROM_THE_FUTURE, "created " + (created - now) + " s ahead");

    Object key = keys.get(keyId);
    String alg = key instanceof byte[] ? "hmac-sha256" : key instanceof PublicKey pk && Keys.isEd25519(pk) ? "ed25519" : null;
    if (alg == null) return new Refused(Reason.UNKNOWN_KEY, "no key '" + keyId + "'");
    // RFC 9421 section 3.2 step 6: alg, when sent, must agree with the key; the key decides.
    if (p.containsKey("alg") && !alg.equals(p.get("alg"))) return new Refused(Reason.UNKNOWN_KEY, "key '" + keyId + "' is not " + p.get("alg"));

    Map<String, String> values = new LinkedHashMap<>();
    Optional<String> authority = single(request, "Host");
    if (authority.isEmpty()) return new Refused(Reason.MALFORMED, "exactly one Host header is required");
    for (String c : covered) {
      if (c.startsWith("@") || c.equals(CONTENT_DIGEST)) continue;
      Optional<Refused> bad = IdentityValues.notVisibleAscii(c, SignatureBase.fieldValue(request.header(c)));
      if (bad.isPresent()) return bad.get();
    }
    byte[] base = SignatureBase.of(covered, c -> switch (c) {
      case "@method" -> request.method();
      case "@authority" -> authority.get().toLowerCase(java.util.Locale.ROOT);
      case "@path" -> request.path();
      case "@query" -> request.query();
      case CONTENT_DIGEST -> SignatureBase.fieldValue(request.header(c));
      default -> {
        String v = SignatureBase.fieldValue(request.header(c));
        values.put(c, v);
        yield v;
      }
    }, SignatureBase.params(input, covered));

    boolean ok;
    try {
      ok = key instanceof byte[] secret ? hmacMatches(secret, base, signature.bytes()) : ed25519Matches((PublicKey) key, base, signature.bytes());
    } catch (GeneralSecurityException e) {
      return new Refused(Reason.BAD_SIGNATURE, "cannot verify: " + e.getClass().getSimpleName());
    }
    if (!ok) return new Refused(Reason.BAD_SIGNATURE, "the signature does not match the request");
    // The digest is checked once its field is known to be the gateway's, and before the nonce is
    // recorded: a copy with a changed body must not use up the genuine request's nonce.
    if (digestCovered) {
      Optional<Refused> digest = digestMismatch(request);
      if (digest.isPresent()) return digest.get();
    }
    if (!nonces.firstUse(keyId + " " + nonce, created + window.toSeconds(), now)) {
      return new Refused(Reason.REPLAYED, "nonce already seen");
    }
    Map<String, String> identity = new LinkedHashMap<>();
    values.forEach((name, v) -> {
      if (!v.isEmpty()) identity.put(name, v);
    });
    return new Verification.Verified(keyId, identity, Optional.empty());
  }

  /** RFC 9530: the signed {@code Content-Digest}'s {@code sha-256} against the body as received. */
  private static Optional<Refused> digestMismatch(IncomingRequest request) {
    if (request.body().isEmpty()) return Optional.of(new Refused(Reason.DIGEST_MISMATCH, "content-digest is covered but the body was not given"));
    StructuredFields.Member sha256;
    try {
      sha256 = StructuredFields.dictionary(String.join(", ", request.header(CONTENT_DIGEST))).get("sha-256");
    } catch (StructuredFields.ParseException e) {
      return Optional.of(new Refused(Reason.MALFORMED, "Content-Digest: " + e.getMessage()));
    }
    if (sha256 == null || sha256.bytes() == null) return Optional.of(new Refused(Reason.MALFORMED, "Content-Digest has no sha-256 byte sequence"));
    byte[] actual;
    try {
      actual = MessageDigest.getInstance("SHA-256").digest(request.body().get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    if (!MessageDigest.isEqual(actual, sha256.bytes())) return Optional.of(new Refused(Reason.DIGEST_MISMATCH, "the body does not match its Content-Digest"));
    return Optional.empty();
  }

  private static Optional<String> single(IncomingRequest request, String name) {
    List<String> v = request.header(name);
    return v.size() == 1 ? Optional.of(v.get(0).strip()) : Optional.empty();
  }

  private static boolean hmacMatches(byte[] secret, byte[] base, byte[] sig) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return MessageDigest.isEqual(mac.doFinal(base), sig);
  }

  private static boolean ed25519Matches(PublicKey key, byte[] base, byte[] sig) throws GeneralSecurityException {
    if (sig.length != 64) return false;
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(key);
    s.update(base);
    return s.verify(sig);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> copy(List<String> l) {
    return new ArrayList<>(l);
  }
}
