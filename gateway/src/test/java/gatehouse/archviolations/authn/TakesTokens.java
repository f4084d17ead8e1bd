package gatehouse.archviolations.authn;

import gatehouse.archviolations.ratelimit.LimiterSide;

/** An authenticator that takes rate-limit tokens itself (as the API-key authenticator once did). */
public class TakesTokens {
  public LimiterSide limiter;
}
