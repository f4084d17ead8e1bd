package gatehouse.pipeline;

import gatehouse.authn.Authentication;
import gatehouse.authz.Decision;
import gatehouse.credential.Extraction;
import gatehouse.identity.HeaderPlan;
import gatehouse.limit.Admission;
import gatehouse.route.Routing;
import gatehouse.route.Target;

/**
 * Told each stage's answer as {@link Pipeline#process} receives it, in order: for {@code gatehouse
 * explain}, which records what the real stages decided. The serving path uses {@link #NONE}: every
 * method receives a value the pipeline already holds, so listening adds no allocation, and a method
 * that does nothing is inlined away. A stage the run does not reach is not called. Methods are
 * called on the pipeline's thread and must not block or throw.
 */
public interface StageListener {

  /** Does nothing: the serving path's listener. */
  StageListener NONE = new StageListener() {};

  /** Stage 1: how the raw target was read. */
  default void target(Target target) {}

  /** Stage 1: which route takes the request. */
  default void routing(Routing routing) {}

  /** Stage 2: what credential the request presents for the route's policy. */
  default void extraction(Extraction extraction) {}

  /** Stage 3: the authenticator's answer. */
  default void authentication(Authentication authentication) {}

  /** Stage 4: whether the identity may use the route. */
  default void decision(Decision decision) {}

  /** Stage 5: the rate limits' answer. */
  default void admission(Admission admission) {}

  /** Stage 6: the identity headers for an authenticated request, or why they cannot be carried. */
  default void plan(HeaderPlan plan) {}
}
