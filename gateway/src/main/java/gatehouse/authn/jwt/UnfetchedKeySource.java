package gatehouse.authn.jwt;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * A remote provider's keys when nothing may be fetched ({@link JwtServices#offline}): there are
 * none, so every token of the provider is {@code Unverifiable}, never refused for want of a key it
 * may well have.
 */
final class UnfetchedKeySource implements KeySource {
  private final String provider;

  UnfetchedKeySource(String provider) {
    this.provider = provider;
  }

  @Override
  public String dependency() {
    return "jwks:" + provider;
  }

  @Override
  public KeySet current() {
    return null;
  }

  @Override
  public Future<KeySet> afterMiss(String kid, KeySet seen) {
    return Future.succeededFuture(null);
  }

  @Override
  public KeySetStatus status() {
    return new KeySetStatus(provider, "remote (not fetched)", false, 0, Optional.empty(), Optional.empty());
  }

  @Override
  public Future<Void> settled() {
    return Future.succeededFuture();
  }

  @Override
  public void close() {}
}
