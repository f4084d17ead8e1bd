package gatehouse.authn.jwt;

import io.vertx.core.Future;

/**
 * Where one provider's verification keys come from. Implementations are safe to call from any
 * thread and never block: {@link #current()} reads a snapshot, fetches run in the background.
 */
interface KeySource {

  /** The name an {@code Unverifiable} answer carries, {@code jwks:<provider>}. */
  String dependency();

  /**
   * The key set to verify with now, or null when there is none usable (never fetched, or older
   * than the stale maximum). May start a background refresh when one is due; never waits for it.
   */
  KeySet current();

  /**
   * Called when a token's {@code kid} is not in {@code seen}. The future never fails; it completes
   * with the set to look in again: a freshly fetched set, {@code seen} itself when a refresh is not
   * allowed now (rate limit, or a local source), or null when keys cannot be fetched at all, so the
   * token can be neither accepted nor refused.
   */
  Future<KeySet> afterMiss(String kid, KeySet seen);

  /** Whether the key with this RFC 7638 thumbprint is still in the usable set (cache hits ask). */
  default boolean trusts(String thumbprint) {
    KeySet keys = current();
    return keys != null && keys.thumbprints().contains(thumbprint);
  }

  KeySetStatus status();

  /** Completes when no fetch is in flight (tests wait on it instead of sleeping). */
  Future<Void> settled();

  /** Stops background refreshes and releases the HTTP client; idempotent. */
  void close();
}
