package gatehouse.verifier;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Nonces (and token ids) seen within the window, each kept until its signature would be too old
 * anyway. Only verified signatures are recorded, so a client without a key cannot fill it. One
 * process's memory: replicas of a backend do not share it (see the README).
 */
final class NonceCache {
  private final Map<String, Long> expiries = new HashMap<>();
  private long nextPurge;

  /**
   * Records {@code nonce} until {@code expiresAtSecond}; false if it was already recorded and has
   * not expired at {@code nowSecond}.
   */
  synchronized boolean firstUse(String nonce, long expiresAtSecond, long nowSecond) {
    if (nowSecond >= nextPurge) {
      for (Iterator<Long> it = expiries.values().iterator(); it.hasNext(); ) {
        if (it.next() < nowSecond) it.remove();
      }
      nextPurge = nowSecond + 1;
    }
    Long seen = expiries.get(nonce);
    if (seen != null && seen >= nowSecond) return false;
    expiries.put(nonce, expiresAtSecond);
    return true;
  }

  synchronized int size() {
    return expiries.size();
  }
}
