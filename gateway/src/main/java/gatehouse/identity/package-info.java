/**
 * Stage 6, identity forwarding: which client headers are stripped and which identity headers set.
 * Reads the verified {@link gatehouse.authn.Identity} (if any) and the consumed credential, and
 * chooses which of the identity's verified claims fill which headers.
 * Returns {@link gatehouse.identity.HeaderPlan}: the {@link gatehouse.identity.HeaderEdits} the proxy
 * applies to the upstream request, or a refusal when a verified value cannot be carried faithfully.
 */
package gatehouse.identity;
