/**
 * Stage 5, limit: after authorization, takes a token from every bucket that applies to the request.
 * Reads the route, the client address, the verified {@link gatehouse.authn.Identity} and a
 * credential's own limit. Returns an {@link gatehouse.limit.Admission}: Admitted, Limited (429) or
 * Unavailable (503). Also screens, before stage 3, addresses over {@code failed_auth_limit}.
 */
package gatehouse.limit;
