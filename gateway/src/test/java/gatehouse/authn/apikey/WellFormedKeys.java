package gatehouse.authn.apikey;

import java.security.SecureRandom;

/** API keys in the issued format (prefix, body, checksum) that no store holds: they reach the store's lookup. */
public final class WellFormedKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private WellFormedKeys() {}

  /** A new random key that passes the format check. */
  public static String random() {
    return KeyFormat.generate(RANDOM);
  }
}
