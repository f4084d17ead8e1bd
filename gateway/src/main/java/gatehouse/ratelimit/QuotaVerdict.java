package gatehouse.ratelimit;

import java.time.Duration;

/** What a {@link RateLimiter} answered when asked to count a request against a {@link CalendarQuota}. */
public sealed interface QuotaVerdict {

  /** The quota that was asked about. */
  CalendarQuota quota();

  /**
   * A quota's state in one window, by the clock of whoever counts it (Redis's, or this process's).
   *
   * @param used requests counted in {@code window} (after this one, when one was counted)
   * @param untilEnd time until {@code window} ends and the count starts over
   */
  record State(CalendarQuota quota, CalendarQuota.Window window, long used, Duration untilEnd) {
    public long remaining() {
      return Math.max(0, quota.requests() - used);
    }
  }

  /**
   * The request was counted. {@code shared} when Redis counted it (false: this process's fallback
   * did), so {@link RateLimiter#release} gives it back where it was taken.
   */
  record Counted(State state, boolean shared) implements QuotaVerdict {
    @Override
    public CalendarQuota quota() {
      return state.quota();
    }
  }

  /** The window's requests are used up: answer 429 until it ends ({@link State#untilEnd}); nothing was counted. */
  record Exhausted(State state) implements QuotaVerdict {
    @Override
    public CalendarQuota quota() {
      return state.quota();
    }
  }

  /** The limiter could not answer in time: refused, fail closed. {@code reason} is for the log only. */
  record Unavailable(CalendarQuota quota, String reason) implements QuotaVerdict {}
}
