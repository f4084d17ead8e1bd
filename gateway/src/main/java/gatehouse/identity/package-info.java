/**
 * Stage 5, identity forwarding: which client headers are stripped and which identity headers set.
 * Reads the verified {@link gatehouse.authn.Identity} (if any) and the consumed credential.
 * Returns {@link gatehouse.identity.HeaderEdits}, applied by the proxy to the upstream request.
 */
package gatehouse.identity;
