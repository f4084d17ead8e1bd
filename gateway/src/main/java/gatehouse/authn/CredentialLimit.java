package gatehouse.authn;

import java.time.Duration;

/**
 * A rate limit stored with the credential itself (an API key's {@code rate_limit}): at most {@code
 * requests} per {@code window}, counted for {@code credentialId} (the key's id, never its secret).
 * The authenticator only reports it; the limit stage enforces it.
 */
public record CredentialLimit(String credentialId, long requests, Duration window) {}
