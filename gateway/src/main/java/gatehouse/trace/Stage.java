package gatehouse.trace;

/** The pipeline's stages as a request's span names them, one event each when the stage has run. */
public enum Stage {
  ROUTE("route"), CREDENTIAL("credential"), AUTHENTICATE("authenticate"), AUTHORIZE("authorize"), LIMIT("limit"), IDENTITY("identity");

  private final String event;

  Stage(String event) {
    this.event = event;
  }

  /** The span event's name. */
  public String event() {
    return event;
  }
}
