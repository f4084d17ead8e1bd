package gatehouse.authn.apikey;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The key registry. Every method returns at once and completes on the caller's context; the
 * blocking work (JDBC) runs on a worker pool, never on an event loop. A failed future means the
 * store could not be reached or refused the statement: the caller decides what that means (503
 * for a lookup).
 */
interface ApiKeyStore {

  /** The key stored under {@code hash}, or empty when there is none. */
  Future<Optional<StoredKey>> findByHash(String hash);

  /** The key stored under {@code id}, or empty when there is none. */
  Future<Optional<StoredKey>> find(String id);

  /** Every key, oldest first; only {@code owner}'s when given. */
  Future<List<StoredKey>> list(Optional<String> owner);

  /** Stores a new key; fails if its id or hash is taken. */
  Future<Void> insert(StoredKey key);

  /** Marks key {@code id} revoked at {@code at} unless it already is; the key as stored after, if it exists. */
  Future<Optional<StoredKey>> revoke(String id, Instant at);

  /**
   * In one transaction: ends key {@code id} at {@code endsAt} (revoked if that is not in the
   * future, else expiring then, whichever is sooner) and stores {@code successor.apply(old)}. Empty
   * when the key does not exist or is no longer active at {@code now}.
   */
  Future<Optional<StoredKey>> rotate(String id, Instant now, Instant endsAt, UnaryOperator<StoredKey> successor);

  /**
   * In one transaction: stores {@code edit.apply(old)} over key {@code id}'s scopes, limit,
   * quota and name. The key as stored after, or empty when there is no such key.
   */
  Future<Optional<StoredKey>> change(String id, UnaryOperator<StoredKey> edit);

  /** Records when keys were last used; older times never overwrite newer ones. */
  Future<Void> recordUse(Map<String, Instant> lastUsed);
}
