package gatehouse.limit;

import gatehouse.ratelimit.BucketKey;
import gatehouse.ratelimit.Limit;

/**
 * One bucket a request takes a token from: {@code name} is the limiter's key for it, {@code key}
 * whose requests it counts, {@code limit} how many. Two configured limits that count the same
 * {@code key} (an address on the whole gateway and on one route) have different names.
 */
record Charge(String name, BucketKey key, Limit limit) {}
