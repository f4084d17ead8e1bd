package gatehouse.ratelimit;

import java.time.Duration;

/** What a {@link RateLimiter} decided about one request. The numbers feed the RateLimit headers. */
public sealed interface Verdict {

  /** The limit in force. */
  Limit limit();

  /** Tokens left after this request. */
  long remaining();

  /** Time until the bucket is full again, if no request is made meanwhile. */
  Duration resetAfter();

  /** The request took a token. */
  record Allowed(Limit limit, long remaining, Duration resetAfter) implements Verdict {}

  /** The bucket is empty: answer 429; a token will be there after {@code retryAfter}. */
  record Denied(Limit limit, Duration retryAfter, Duration resetAfter) implements Verdict {
    @Override
    public long remaining() {
      return 0;
    }
  }
}
