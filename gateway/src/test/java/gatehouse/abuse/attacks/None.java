package gatehouse.abuse.attacks;

import gatehouse.abuse.Attack;
import gatehouse.abuse.Target;
import java.time.Duration;

/** No attack: the canaries alone, the baseline the other rows are read against. */
public final class None implements Attack {
  @Override
  public String name() {
    return "baseline (no attack)";
  }

  @Override
  public String unit() {
    return "-";
  }

  @Override
  public long run(Target target, Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
    return 0;
  }
}
