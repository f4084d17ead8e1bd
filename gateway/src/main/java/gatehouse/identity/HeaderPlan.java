package gatehouse.identity;

import gatehouse.authn.AuthFailure;

/** Stage 6's answer for an authenticated request: the header edits, or a refusal. */
public sealed interface HeaderPlan {

  /** Every identity value was encoded; apply {@code edits} to the upstream request. */
  record Planned(HeaderEdits edits) implements HeaderPlan {}

  /**
   * A present value cannot be carried faithfully (see {@link IdentityValues}): the request is
   * refused as unauthenticated, so a backend gets exactly the verified identity or nothing.
   * {@code failure} names the claim path, never the value.
   */
  record Refused(AuthFailure failure) implements HeaderPlan {}
}
