package gatehouse.route;

import gatehouse.config.RouteConfig;
import java.util.Optional;

/** Which route takes a request: {@link RouteTable#route}. */
public sealed interface Routing {

  /**
   * {@code route} takes the request; {@code matched} is the same route as the optional an outcome
   * carries, made once when the table is compiled rather than per request.
   */
  record Found(RouteConfig route, Optional<RouteConfig> matched) implements Routing {
    public Found {
      if (matched.orElse(null) != route) throw new IllegalArgumentException("matched must hold route");
    }
  }

  /** No route takes the request: 404. */
  record NotFound() implements Routing {}

  /**
   * The request picks one route when the case of its path and method is read as sent, and another
   * (or none) when case is ignored, and the two are not handled alike: a backend that ignores case could serve the other
   * route's resource under this route's policy. Refused with 400 and {@code code}.
   */
  record Ambiguous(String code, String reason) implements Routing {}
}
