/**
 * The limiter: a token bucket per {@link gatehouse.ratelimit.BucketKey}, behind {@link
 * gatehouse.ratelimit.RateLimiter} so a shared store (Redis) can back it later. Reads a key and its
 * {@link gatehouse.ratelimit.Limit}. Returns a {@link gatehouse.ratelimit.Verdict}: Allowed or
 * Denied with the numbers for headers, or Unavailable when the limiter could not answer.
 */
package gatehouse.ratelimit;
