package gatehouse.authn.apikey;

import gatehouse.secret.Secret;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Key management for the CLI and the admin API. Keys are made here and shown once; only their
 * hashes are stored. Each method completes on the caller's context; a failed future means the
 * store failed, or (with {@link IllegalArgumentException}) the request was invalid.
 */
public final class ApiKeyAdmin {
  private final ApiKeyStore store;
  private final KeyHasher hasher;
  private final Clock clock;
  private final SecureRandom random;
  private final Consumer<String> changed;

  ApiKeyAdmin(ApiKeyStore store, KeyHasher hasher, Clock clock, SecureRandom random, Consumer<String> changed) {
    this.store = store;
    this.hasher = hasher;
    this.clock = clock;
    this.random = random;
    this.changed = changed;
  }

  /** A new key for {@code spec}; the result holds the key itself, which exists nowhere else. */
  public Future<CreatedKey> create(NewKey spec) {
    Optional<String> problem = spec.problem();
    if (problem.isPresent()) return Future.failedFuture(new IllegalArgumentException(problem.get()));
    Instant now = clock.instant();
    String key = KeyFormat.generate(random);
    StoredKey stored = new StoredKey(KeyFormat.newId(random), hasher.hash(key), KeyFormat.displayPrefix(key), spec.ownerId(),
        spec.name(), spec.scopes(), spec.rateLimit(), spec.quota(), now, spec.expiresIn().map(now::plus), Optional.empty(), Optional.empty());
    return store.insert(stored).map(v -> new CreatedKey(stored.info(now), new Secret(key)));
  }

  /** Every key (only {@code owner}'s when given), oldest first, without secrets. */
  public Future<List<ApiKeyInfo>> list(Optional<String> owner) {
    return store.list(owner).map(keys -> {
      Instant now = clock.instant();
      return keys.stream().map(k -> k.info(now)).toList();
    });
  }

  /** Key {@code id}, without its secret; empty when there is no such key. */
  public Future<Optional<ApiKeyInfo>> find(String id) {
    return store.find(id).map(k -> k.map(s -> s.info(clock.instant())));
  }

  /** Revokes key {@code id} now; empty when there is no such key. Revoking twice keeps the first time. */
  public Future<Optional<ApiKeyInfo>> revoke(String id) {
    Instant now = clock.instant();
    return store.revoke(id, now).map(k -> {
      k.ifPresent(s -> changed.accept(s.hash()));
      return k.map(s -> s.info(now));
    });
  }

  /**
   * Changes key {@code id}'s scopes, limit, quota or name as {@code edit} says; the key as it is after,
   * empty when there is no such key. Takes effect here at once.
   */
  public Future<Optional<ApiKeyInfo>> change(String id, KeyEdit edit) {
    Optional<String> problem = edit.problem();
    if (problem.isPresent()) return Future.failedFuture(new IllegalArgumentException(problem.get()));
    Instant now = clock.instant();
    return store.change(id, edit::applyTo).map(k -> {
      k.ifPresent(s -> changed.accept(s.hash()));
      return k.map(s -> s.info(now));
    });
  }

  /**
   * A new key with the same owner, name, scopes, limit, quota and expiry as key {@code id}; the old key
   * keeps working for {@code grace} (zero: it is revoked at once). Empty when {@code id} is not an
   * active key.
   */
  public Future<Optional<CreatedKey>> rotate(String id, Duration grace) {
    if (grace.isNegative()) return Future.failedFuture(new IllegalArgumentException("grace must not be negative"));
    Instant now = clock.instant();
    String key = KeyFormat.generate(random);
    String newId = KeyFormat.newId(random);
    String hash = hasher.hash(key);
    AtomicReference<String> oldHash = new AtomicReference<>();
    return store.rotate(id, now, now.plus(grace), old -> {
          oldHash.set(old.hash());
          return new StoredKey(newId, hash, KeyFormat.displayPrefix(key), old.ownerId(), old.name(), old.scopes(), old.rateLimit(),
              old.quota(), now, old.expiresAt(), Optional.empty(), Optional.empty());
        })
        .map(created -> {
          created.ifPresent(k -> changed.accept(oldHash.get()));
          return created.map(k -> new CreatedKey(k.info(now), new Secret(key)));
        });
  }
}
