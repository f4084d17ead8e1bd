package gatehouse.authn.jwt;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Keys fixed at load: a JWKS file, a PEM key, an HMAC secret or an in-memory JWKS. */
final class StaticKeySource implements KeySource {
  private final String provider;
  private final String source;
  private final KeySet keys;
  private final Clock clock;

  StaticKeySource(String provider, String source, KeySet keys, Clock clock) {
    this.provider = provider;
    this.source = source;
    this.keys = keys;
    this.clock = clock;
  }

  @Override
  public String dependency() {
    return "jwks:" + provider;
  }

  @Override
  public KeySet current() {
    return keys;
  }

  @Override
  public Future<KeySet> afterMiss(String kid, KeySet seen) {
    return Future.succeededFuture(seen);
  }

  @Override
  public KeySetStatus status() {
    return new KeySetStatus(provider, source, true, keys.size(),
        Optional.of(Duration.between(keys.loadedAt(), clock.instant())), Optional.empty());
  }

  @Override
  public Future<Void> settled() {
    return Future.succeededFuture();
  }

  @Override
  public void close() {}
}
