package gatehouse.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gatehouse.authn.Quota;
import gatehouse.ratelimit.Limit;
import gatehouse.ratelimit.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the verdicts of the buckets that apply to one request combine into one admission. */
class LimitsTest {
  private static final Limit TEN = Limit.perMinute(10);
  private static final Limit HUNDRED = Limit.perMinute(100);

  @Test
  void noBucketAdmitsWithoutAQuota() {
    assertEquals(new Admission.Admitted(Optional.empty()), Limits.decide(List.of()));
  }

  @Test
  void admittedRequestsReportTheBucketWithTheFewestTokensLeft() {
    assertEquals(new Admission.Admitted(Optional.of(new Quota(10, Duration.ofMinutes(1), 3, Duration.ofSeconds(42)))),
        Limits.decide(List.of(new Verdict.Allowed(HUNDRED, 50, Duration.ofSeconds(30)), new Verdict.Allowed(TEN, 3, Duration.ofSeconds(42)))));
  }

  @Test
  void anyEmptyBucketLimitsAndTheLongestWaitIsTheRetryAfter() {
    assertEquals(new Admission.Limited(new Quota(100, Duration.ofMinutes(1), 0, Duration.ofMinutes(1)), Duration.ofSeconds(9)),
        Limits.decide(List.of(new Verdict.Denied(TEN, Duration.ofSeconds(6), Duration.ofMinutes(1)), new Verdict.Allowed(TEN, 3, Duration.ZERO),
            new Verdict.Denied(HUNDRED, Duration.ofSeconds(9), Duration.ofMinutes(1)))));
  }

  @Test
  void aLimiterThatCannotAnswerRefusesEvenWhenAnotherBucketIsEmpty() {
    assertEquals(new Admission.Unavailable("timeout"),
        Limits.decide(List.of(new Verdict.Denied(TEN, Duration.ofSeconds(6), Duration.ofMinutes(1)), new Verdict.Unavailable(HUNDRED, "timeout"))));
  }
}
