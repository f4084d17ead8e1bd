package gatehouse.route;

import gatehouse.config.RouteConfig;
import java.util.List;

/**
 * A route that was tried before the one that took a request (or before the end of the table), and
 * why it did not take it: {@link RouteTable#skipped}.
 *
 * @param route the route
 * @param reasons each part of its match the request failed (method, host, path), in that order;
 *     never empty
 * @param matchesIgnoringCase the route would take the request if the case of the path and method
 *     were ignored, as many backends do (see {@link RouteTable})
 */
public record Skipped(RouteConfig route, List<String> reasons, boolean matchesIgnoringCase) {
  public Skipped {
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) throw new IllegalArgumentException("a skipped route needs a reason");
  }
}
