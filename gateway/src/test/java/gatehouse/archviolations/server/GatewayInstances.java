package gatehouse.archviolations.server;

import io.vertx.core.internal.ContextInternal;

/** Named like the one class allowed on Vert.x's internal API: the rule must let it pass. */
public class GatewayInstances {
  public ContextInternal context;

  /** A nested class of the allowed one is allowed too. */
  public static class Instance {
    public ContextInternal context;
  }
}
