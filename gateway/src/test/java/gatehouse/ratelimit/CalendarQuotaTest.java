package gatehouse.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gatehouse.ratelimit.CalendarQuota.Period;
import gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Calendar windows in UTC, and the local limiter counting them on an injected clock. */
class CalendarQuotaTest {

  @ParameterizedTest(name = "{0} {1} -> [{2}, {3})")
  @CsvSource({
      "DAY,   2026-12-06T00:00:00Z,        2026-12-06T00:00:00Z, 2026-12-07T00:00:00Z",
      "DAY,   2026-12-06T23:59:59.999Z,    2026-12-06T00:00:00Z, 2026-12-07T00:00:00Z",
      "DAY,   2026-12-31T23:59:59.999999999Z, 2026-12-31T00:00:00Z, 2027-01-01T00:00:00Z",
      "DAY,   2028-02-28T12:00:00Z,        2028-02-28T00:00:00Z, 2028-02-29T00:00:00Z",
      "DAY,   2028-02-29T23:59:59.999Z,    2028-02-29T00:00:00Z, 2028-03-01T00:00:00Z",
      "DAY,   1969-12-31T23:59:59.999Z,    1969-12-31T00:00:00Z, 1970-01-01T00:00:00Z",
      "MONTH, 2026-12-06T10:00:00Z,        2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
      "MONTH, 2026-12-31T23:59:59.999Z,    2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
      "MONTH, 2027-01-01T00:00:00Z,        2027-01-01T00:00:00Z, 2027-02-01T00:00:00Z",
      "MONTH, 2027-02-28T23:59:59.999Z,    2027-02-01T00:00:00Z, 2027-03-01T00:00:00Z",
      "MONTH, 2028-02-29T23:59:59.999Z,    2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z",
      "MONTH, 2100-02-28T23:59:59.999Z,    2100-02-01T00:00:00Z, 2100-03-01T00:00:00Z",
      "MONTH, 2000-02-29T00:00:00Z,        2000-02-01T00:00:00Z, 2000-03-01T00:00:00Z",
      "MONTH, 2026-04-30T23:59:59.999Z,    2026-04-01T00:00:00Z, 2026-05-01T00:00:00Z",
  })
  void aWindowStartsAtMidnightUtcOrOnTheFirstAndEndsAtTheNext(Period period, Instant at, Instant start, Instant end) {
    assertEquals(new CalendarQuota.Window(start, end), new CalendarQuota(5, period).windowAt(at));
  }

  @Test
  void aMonthIsAsLongAsItsDays() {
    assertEquals(Duration.ofDays(29), new CalendarQuota(1, Period.MONTH).windowAt(Instant.parse("2028-02-10T00:00:00Z")).length());
    assertEquals(Duration.ofDays(28), new CalendarQuota(1, Period.MONTH).windowAt(Instant.parse("2027-02-10T00:00:00Z")).length());
    assertEquals(Duration.ofDays(31), new CalendarQuota(1, Period.MONTH).windowAt(Instant.parse("2027-01-31T00:00:00Z")).length());
  }

  @Test
  void quotasAreWrittenAsRequestsPerDayOrMonth() {
    assertEquals(Optional.of(new CalendarQuota(1000, Period.DAY)), CalendarQuota.parse("1000/day"));
    assertEquals(Optional.of(new CalendarQuota(50000, Period.MONTH)), CalendarQuota.parse("50000/month"));
    assertEquals("50000/month", new CalendarQuota(50000, Period.MONTH).toString());
    for (String bad : new String[] {"0/day", "-1/day", "10/week", "10/Day", "/day", "10", "1e3/day", "10000000000000/day", "10/"}) {
      assertEquals(Optional.empty(), CalendarQuota.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new CalendarQuota(0, Period.DAY));
  }

  @Test
  void theLastMillisecondOfADayCountsInThatDayAndMidnightStartsAFreshOne() {
    MutableClock clock = new MutableClock(Instant.parse("2028-02-29T23:59:59.998Z"));
    LocalRateLimiter limiter = new LocalRateLimiter(clock);
    CalendarQuota quota = new CalendarQuota(2, Period.DAY);
    assertInstanceOf(QuotaVerdict.Counted.class, limiter.reserve("key:a", quota).result());
    clock.advance(Duration.ofMillis(1));
    QuotaVerdict last = limiter.reserve("key:a", quota).result();
    assertEquals(2, ((QuotaVerdict.Counted) last).state().used());
    QuotaVerdict over = limiter.reserve("key:a", quota).result();
    QuotaVerdict.State s = assertInstanceOf(QuotaVerdict.Exhausted.class, over).state();
    assertEquals(Duration.ofMillis(1), s.untilEnd());
    assertEquals(Instant.parse("2028-03-01T00:00:00Z"), s.window().end());
    clock.advance(Duration.ofMillis(1));
    QuotaVerdict fresh = limiter.reserve("key:a", quota).result();
    assertEquals(1, ((QuotaVerdict.Counted) fresh).state().used());
    assertEquals(Instant.parse("2028-03-01T00:00:00Z"), ((QuotaVerdict.Counted) fresh).state().window().start());
  }

  @Test
  void aMonthlyQuotaCarriesOverDaysAndEndsOnTheFirst() {
    MutableClock clock = new MutableClock(Instant.parse("2027-02-01T00:00:00Z"));
    LocalRateLimiter limiter = new LocalRateLimiter(clock);
    CalendarQuota quota = new CalendarQuota(3, Period.MONTH);
    for (int day = 0; day < 3; day++) {
      assertInstanceOf(QuotaVerdict.Counted.class, limiter.reserve("key:m", quota).result());
      clock.advance(Duration.ofDays(9));
    }
    clock.set(Instant.parse("2027-02-28T23:59:59.999Z"));
    assertInstanceOf(QuotaVerdict.Exhausted.class, limiter.reserve("key:m", quota).result());
    assertEquals(3, limiter.peek("key:m", quota).result().used());
    clock.advance(Duration.ofMillis(1));
    assertEquals(0, limiter.peek("key:m", quota).result().used(), "March starts from zero");
    assertInstanceOf(QuotaVerdict.Counted.class, limiter.reserve("key:m", quota).result());
  }

  @Test
  void aReleaseGivesBackOnlyInTheWindowItWasCountedIn() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T23:59:59.999Z"));
    LocalRateLimiter limiter = new LocalRateLimiter(clock);
    CalendarQuota quota = new CalendarQuota(1, Period.DAY);
    QuotaVerdict.Counted yesterday = (QuotaVerdict.Counted) limiter.reserve("key:r", quota).result();
    clock.advance(Duration.ofMillis(1));
    QuotaVerdict.Counted today = (QuotaVerdict.Counted) limiter.reserve("key:r", quota).result();
    limiter.release("key:r", yesterday).result();
    assertEquals(1, limiter.peek("key:r", quota).result().used(), "yesterday's release does not free today's request");
    limiter.release("key:r", today).result();
    assertEquals(0, limiter.peek("key:r", quota).result().used());
  }

  @Test
  void dayAndMonthQuotasOfOneKeyCountApartAndPeekingCountsNothing() {
    MutableClock clock = MutableClock.start();
    LocalRateLimiter limiter = new LocalRateLimiter(clock);
    limiter.reserve("key:p", new CalendarQuota(5, Period.DAY)).result();
    assertEquals(0, limiter.peek("key:p", new CalendarQuota(5, Period.MONTH)).result().used());
    for (int i = 0; i < 3; i++) assertEquals(1, limiter.peek("key:p", new CalendarQuota(5, Period.DAY)).result().used());
    assertEquals(1, limiter.peek("key:p", new CalendarQuota(9, Period.DAY)).result().used(), "a changed quota keeps the window's count");
  }
}
