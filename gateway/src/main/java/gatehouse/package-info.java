/**
 * Gatehouse, an authenticating API gateway. {@link gatehouse.Gatehouse} is the composition root;
 * {@link gatehouse.pipeline.Pipeline} reads as the request path: route, credential, authn, authz,
 * identity headers, then the proxy.
 */
package gatehouse;
