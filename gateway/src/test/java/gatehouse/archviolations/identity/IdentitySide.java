package gatehouse.archviolations.identity;

import gatehouse.archviolations.pipeline.PipelineSide;

/** Stage 6 reaching back into the conductor. */
public class IdentitySide {
  public PipelineSide conductor;
}
