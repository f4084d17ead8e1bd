/**
 * Stage 4, authorization: whether a verified identity may use a route.
 * Reads the route's {@link gatehouse.config.Policy} and the {@link gatehouse.authn.Identity}.
 * Returns a {@link gatehouse.authz.Decision}: Allow or Deny with a stable code.
 */
package gatehouse.authz;
