package gatehouse.archviolations.authn;

import gatehouse.archviolations.observe.ObserveSide;

/** A stage that reaches into observe (as authn once did for its log helpers). */
public class LogsToObserve {
  public ObserveSide log;
}
