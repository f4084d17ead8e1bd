package gatehouse.ratelimit;

/** One bucket a request must take a token from: whose ({@code key}) and how many ({@code limit}). */
public record Bucket(BucketKey key, Limit limit) {}
