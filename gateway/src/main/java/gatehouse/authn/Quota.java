package gatehouse.authn;

import java.time.Duration;

/**
 * A credential's rate-limit state after this request, for the {@code RateLimit-*} response
 * headers: {@code limit} requests per {@code window}, {@code remaining} left, full again after
 * {@code reset}. Made by the limit stage ({@code gatehouse.limit}), never by an authenticator.
 */
public record Quota(long limit, Duration window, long remaining, Duration reset) {}
