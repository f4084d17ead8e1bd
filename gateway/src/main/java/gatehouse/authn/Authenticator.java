package gatehouse.authn;

import gatehouse.credential.Credential;
import io.vertx.core.Future;

/** Verifies one kind of credential. One implementation per sub-package of {@code authn}. */
public interface Authenticator {

  /**
   * Verifies {@code credential}. The future always succeeds, with {@code Rejected} for a bad
   * credential and {@code Unverifiable} when a dependency is down; a failed future is a bug. Called
   * on an event loop; never blocks it (I/O goes through Vert.x clients or a worker pool).
   */
  Future<Authentication> authenticate(Credential credential);
}
