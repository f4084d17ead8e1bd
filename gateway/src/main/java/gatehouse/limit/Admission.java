package gatehouse.limit;

import gatehouse.authn.Quota;
import java.time.Duration;
import java.util.Optional;

/** What {@link Limits#admit} decided about one request. */
public sealed interface Admission {

  /** Every bucket had a token; {@code quota} is the tightest bucket's state, when any applied. */
  record Admitted(Optional<Quota> quota) implements Admission {}

  /** A bucket is empty: 429, a token will be there after {@code retryAfter}. */
  record Limited(Quota quota, Duration retryAfter) implements Admission {}

  /** A limiter could not answer, so the request is refused (fail closed); {@code reason} is for the log. */
  record Unavailable(String reason) implements Admission {}
}
