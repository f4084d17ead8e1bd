package gatehouse.authn.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import gatehouse.config.KeyFiles;
import gatehouse.crypto.SignatureEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An immutable snapshot of one provider's keys, compiled at load or fetch. Verification reads a
 * snapshot and never waits; a refresh builds a new one and swaps it in. Nothing in it changes after
 * compilation: whether an unknown kid may start a fetch is the key source's decision, by time.
 */
final class KeySet {
  /** Without a {@code kid}, at most this many keys are tried: a token cannot make us do more work. */
  static final int MAX_KEYS_WITHOUT_KID = 4;

  private final JWKSet jwks;
  private final List<VerificationKey> keys;
  private final Set<String> kids;
  private final Set<String> thumbprints;
  private final Instant loadedAt;
  private final Instant refreshAt;

  private KeySet(JWKSet jwks, List<VerificationKey> keys, Instant loadedAt, Instant refreshAt) {
    this.jwks = jwks;
    this.keys = List.copyOf(keys);
    Set<String> k = new HashSet<>();
    Set<String> t = new HashSet<>();
    for (VerificationKey key : keys) {
      if (key.kid() != null) k.add(key.kid());
      t.add(key.thumbprint());
    }
    this.kids = Set.copyOf(k);
    this.thumbprints = Set.copyOf(t);
    this.loadedAt = loadedAt;
    this.refreshAt = refreshAt;
  }

  /**
   * Compiles every usable key of {@code jwks}; each refused key is reported to {@code refused}
   * with its reason. Symmetric keys are kept only when {@code symmetric} (an HMAC provider) and
   * refused otherwise, and asymmetric keys the other way round: one provider never mixes the two
   * (RFC 8725 section 2.1, key confusion).
   */
  static KeySet compile(JWKSet jwks, boolean symmetric, SignatureEngine engine, Instant loadedAt, Instant refreshAt,
      Consumer<String> refused) {
    List<VerificationKey> keys = new ArrayList<>();
    List<JWK> published = new ArrayList<>();
    for (JWK jwk : jwks.getKeys()) {
      String name = KeyFiles.label(jwk);
      java.util.Optional<String> refusal = KeyFiles.refusal(jwk, symmetric);
      if (refusal.isPresent()) {
        refused.accept(name + ": " + refusal.get());
        continue;
      }
      JWK usable = symmetric ? jwk : jwk.toPublicJWK();
      VerificationKey.Compiled compiled = VerificationKey.compile(usable, engine);
      if (compiled instanceof VerificationKey.Compiled.Ok ok) {
        keys.add(ok.key());
        published.add(usable);
      } else if (compiled instanceof VerificationKey.Compiled.Refused r) {
        refused.accept(name + ": " + r.reason());
      } else {
        throw new AssertionError("unknown compile result " + compiled);
      }
    }
    return new KeySet(new JWKSet(published), keys, loadedAt, refreshAt);
  }

  /** The usable keys as a public JWK set (symmetric keys included for HMAC providers; never logged). */
  JWKSet jwks() {
    return jwks;
  }

  List<VerificationKey> keys() {
    return keys;
  }

  int size() {
    return keys.size();
  }

  Set<String> thumbprints() {
    return thumbprints;
  }

  Instant loadedAt() {
    return loadedAt;
  }

  /** When a background refresh is due; {@link Instant#MAX} for key sets that never change. */
  Instant refreshAt() {
    return refreshAt;
  }

  /**
   * The keys to try for a token with {@code kid} (null when the token has none) and {@code alg}:
   * keys with that kid plus keys without any kid, or, without a kid, every key; then only those
   * that fit {@code alg}, at most {@link #MAX_KEYS_WITHOUT_KID}.
   */
  Selection select(String kid, JWSAlgorithm alg) {
    List<VerificationKey> named = new ArrayList<>();
    for (VerificationKey key : keys) {
      if (kid == null || key.kid() == null || kid.equals(key.kid())) named.add(key);
    }
    if (named.isEmpty()) return new Selection.UnknownKid();
    List<VerificationKey> fitting = new ArrayList<>();
    for (VerificationKey key : named) {
      if (key.fits(alg) && fitting.size() < MAX_KEYS_WITHOUT_KID) fitting.add(key);
    }
    if (!fitting.isEmpty()) return new Selection.Found(List.copyOf(fitting));
    if (kid != null && kids.contains(kid)) {
      VerificationKey key = named.stream().filter(k -> kid.equals(k.kid())).findFirst().orElseThrow();
      String declared = key.declaredAlg() != null ? " declared alg " + key.declaredAlg() : "";
      return new Selection.Mismatch("key " + key.label() + " (" + key.type() + (key.curve() != null ? " " + key.curve() : "")
          + declared + ") cannot verify " + alg);
    }
    return new Selection.NoneFits();
  }

  /** What {@link #select} found. */
  sealed interface Selection {
    /** Keys to try, in key-set order; never empty. */
    record Found(List<VerificationKey> keys) implements Selection {}

    /** The token names a kid this snapshot does not have (and no key lacks a kid). */
    record UnknownKid() implements Selection {}

    /** The kid exists but its key cannot verify the token's alg. */
    record Mismatch(String detail) implements Selection {}

    /** No key of the type the alg needs. */
    record NoneFits() implements Selection {}
  }
}
