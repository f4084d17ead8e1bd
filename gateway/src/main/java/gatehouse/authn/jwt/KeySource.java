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
   * with the set to look in again: a freshly fetched set, the current set when a refresh is not
   * allowed now and the last fetch succeeded (rate limit), {@code seen} for a local source, or null
   * when the key may exist but cannot be fetched (fetches fail), so the token can be neither
   * accepted nor refused. Whether a kid was missing is never remembered beyond the rate limit.
   */
  Future<KeySet> afterMiss(String kid, KeySet seen);

  /** Whether the key with this RFC 7638 thumbprint is still in the usable set (cache hits ask). */
  default boolean trusts(String thumbprint) {
    KeySet keys = current();
    return keys != null && keys.thumbprints().contains(thumbprint);
  }

  KeySetStatus status();

  /** Registers this source's meters; a local source has none. */
  default void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {}

  /** Completes when no fetch is in flight (tests wait on it instead of sleeping). */
  Future<Void> settled();

  /** Stops background refreshes and releases the HTTP client; idempotent. */
  void close();
}
