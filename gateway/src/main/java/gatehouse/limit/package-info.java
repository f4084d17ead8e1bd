/**
 * Stage 5, limit: after authorization, takes a token from every bucket that applies to the request.
 * Reads the route, the verified {@link gatehouse.authn.Identity} and a credential's own limit.
 * Returns an {@link gatehouse.limit.Admission}: Admitted, Limited (429) or Unavailable (503).
 */
package gatehouse.limit;
