package gatehouse.ratelimit;

import java.time.Duration;

/** What a {@link RateLimiter} decided about one request. The numbers feed the RateLimit headers. */
public sealed interface Verdict {

  /** The limit that was asked about. */
  Limit limit();

  /**
   * The request took a token.
   *
   * @param remaining tokens left after this request
   * @param resetAfter time until the bucket is full again, if no request is made meanwhile
   */
  record Allowed(Limit limit, long remaining, Duration resetAfter) implements Verdict {}

  /** The bucket is empty: answer 429; a token will be there after {@code retryAfter}. */
  record Denied(Limit limit, Duration retryAfter, Duration resetAfter) implements Verdict {
    /** Tokens left: none. */
    public long remaining() {
      return 0;
    }
  }

  /**
   * The limiter could not answer in time (a shared store that is down or slow), so whether a token
   * was taken is unknown: the request is refused, fail closed. {@code reason} is for the log only.
   */
  record Unavailable(Limit limit, String reason) implements Verdict {}
}
