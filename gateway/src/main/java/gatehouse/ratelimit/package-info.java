/**
 * Per-key rate limits: a token bucket per key, behind {@link gatehouse.ratelimit.RateLimiter} so a
 * shared store (Redis) can back it later. Reads a key and its {@link gatehouse.ratelimit.Limit}.
 * Returns a {@link gatehouse.ratelimit.Verdict}: Allowed or Denied, with the numbers for headers.
 */
package gatehouse.ratelimit;
