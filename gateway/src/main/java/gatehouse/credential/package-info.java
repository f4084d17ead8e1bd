/**
 * Stage 2, credentials: finds the one credential a request presents.
 * Reads the request headers and raw query, and the route's policy (where to look).
 * Returns an {@link gatehouse.credential.Extraction}: None, Found or Ambiguous.
 */
package gatehouse.credential;
