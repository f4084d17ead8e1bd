package gatehouse.archviolations.ratelimit;

import gatehouse.archviolations.authn.jwt.JwtSide;

/** A limiter that knows an authenticator. */
public class LimiterSide {
  public JwtSide authenticator;
}
