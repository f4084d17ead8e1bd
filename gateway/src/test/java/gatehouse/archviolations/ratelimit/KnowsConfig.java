package gatehouse.archviolations.ratelimit;

import gatehouse.archviolations.config.ConfigSide;

/** A limiter that reads config: allowed. */
public class KnowsConfig {
  public ConfigSide config;
}
