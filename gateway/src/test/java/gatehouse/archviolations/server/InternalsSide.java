package gatehouse.archviolations.server;

import io.vertx.core.internal.VertxInternal;

/** A second class on Vert.x's internal API, beside the one allowed. */
public class InternalsSide {
  public VertxInternal vertx;
}
