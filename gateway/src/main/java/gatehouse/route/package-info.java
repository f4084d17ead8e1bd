/**
 * Stage 1, routing: one unambiguous normalised path per request, then the first route that takes it.
 * Reads the raw request-target, the Host header, the method and the compiled {@link RouteTable}.
 * Returns {@link Target} (Parsed, or Ambiguous: 400), then a route or empty (404); no Vert.x here.
 */
package gatehouse.route;
