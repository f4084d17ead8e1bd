package gatehouse.authn.jwt;

import java.util.List;
import java.util.Optional;

/**
 * What one JWT provider verifies with now, for {@code gatehouse explain}: never key material.
 *
 * @param provider the provider's name
 * @param issuer the {@code iss} it takes
 * @param status where its keys come from, whether usable, how many, the last fetch error
 * @param keys one label per usable key ({@code kid alg/kty}, or the thumbprint's start without a kid)
 */
public record ProviderKeys(String provider, String issuer, KeySetStatus status, List<String> keys) {
  public ProviderKeys {
    keys = List.copyOf(keys);
  }

  static ProviderKeys of(JwtProvider p) {
    KeySet set = p.keys().current();
    List<String> labels = set == null ? List.of() : set.keys().stream()
        .map(k -> k.label() + " " + (k.declaredAlg() != null ? k.declaredAlg().getName() : k.type().getValue())).toList();
    return new ProviderKeys(p.name(), p.issuer(), p.keys().status(), labels);
  }

  /** The provider's last fetch failure, if its keys are remote and the last fetch failed. */
  public Optional<String> lastError() {
    return status.lastError();
  }
}
