package gatehouse.archviolations.limit;

import gatehouse.archviolations.pipeline.PipelineSide;

/** The limit stage reaching back into the conductor. */
public class LimitSide {
  public PipelineSide conductor;
}
