package gatehouse.authn.jwt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which refused keys (a {@code use: enc} key beside the signing keys, a short RSA key, ...) have
 * been warned about, per provider, for the life of the process: a provider's key set is fetched
 * again on every refresh and compiled again on every reload, and each refused key is warned about
 * once, when it appears, not on every fetch or start. A key that leaves the set and comes back is a
 * change, and is warned about again.
 */
final class RefusedKeyWarnings {
  /** Providers remembered; provider names come from config, so this is only a guard. */
  static final int MAX_PROVIDERS = 4096;

  private static final Map<String, Set<String>> WARNED = new ConcurrentHashMap<>();

  private RefusedKeyWarnings() {}

  /**
   * The entries of {@code refused} (one line per refused key, as {@link KeySet#compile} reports
   * them) not yet warned about for {@code provider}, in order; remembers {@code refused} as the
   * provider's current set.
   */
  static List<String> toWarn(String provider, List<String> refused) {
    Set<String> now = new LinkedHashSet<>(refused);
    Set<String> before = WARNED.size() < MAX_PROVIDERS || WARNED.containsKey(provider)
        ? WARNED.put(provider, Set.copyOf(now))
        : null;
    List<String> out = new ArrayList<>();
    for (String entry : now) if (before == null || !before.contains(entry)) out.add(entry);
    return out;
  }
}
