package gatehouse.authn.jwt;

import java.time.Duration;
import java.util.Optional;

/**
 * Readiness of one provider's key set, for the admin {@code /ready} endpoint and, later, metrics.
 *
 * @param provider the provider name
 * @param source where its keys come from, e.g. {@code jwks_uri https://auth.example.com/jwks} or
 *     {@code secret} (never the key material)
 * @param ready true when tokens of this provider can be verified now: local keys always, remote
 *     keys once fetched and while younger than the stale maximum
 * @param keyCount usable keys in the current set
 * @param age time since the current set was loaded or last fetched successfully; empty before
 * @param lastError the last fetch failure, cleared by the next success
 */
public record KeySetStatus(
    String provider, String source, boolean ready, int keyCount, Optional<Duration> age, Optional<String> lastError) {}
