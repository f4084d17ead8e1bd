package gatehouse.ratelimit;

import java.time.Duration;

/** A bucket as it is now, read without taking a token: {@code remaining} tokens, full after {@code resetAfter}. */
public record BucketState(Limit limit, long remaining, Duration resetAfter) {}
